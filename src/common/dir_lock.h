// DirLock: an exclusive advisory lock (flock) on DIR/LOCK, so two mailpulse
// processes never write the same data directory. The kernel drops the lock
// when the process dies (kill -9 included), so there is no stale lock to
// clean up after a crash. The file holds the owner's pid for the message.
#pragma once

#include <string>

#include "common/status.h"

namespace mailpulse {

class DirLock {
 public:
  // Fails with kFail naming the holder's pid when another process holds it.
  static Result<DirLock> Acquire(const std::string& dir);

  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&& other) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mailpulse
