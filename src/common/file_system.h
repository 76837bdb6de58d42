// FileSystem: the seam between mailpulse and the OS for every durable file
// (stream segments, checkpoints, lake objects), as leveldb's Env.
//
// Production code takes a FileSystem* (default FileSystem::Default(), the
// POSIX one) so tests can substitute FaultInjectingFileSystem and inject
// failed syncs, ENOSPC, torn writes and power loss. errno is turned into a
// Status here (Status::FromErrno: ENOSPC/EIO -> kRetry, ENOENT -> kNotFound),
// and nowhere else.
//
// Thread-safety: FileSystem methods are thread-safe. An AppendFile has one
// writer at a time; a ReadableFile may be read concurrently (pread).
// Files stay usable after the path is removed (POSIX semantics).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailpulse {

// A file opened for appending at its end.
class AppendFile {
 public:
  virtual ~AppendFile() = default;
  // Appends all parts in order with one writev (looping on short writes).
  virtual Status Append(std::span<const std::string_view> parts) = 0;
  Status Append(std::string_view data) {
    return Append(std::span<const std::string_view>(&data, 1));
  }
  // fdatasync: the data and the size are durable when this returns ok.
  virtual Status Sync() = 0;
  // Cuts the file to `size` bytes; later appends continue from there.
  virtual Status Truncate(uint64_t size) = 0;
  // Current length as seen by this writer (bytes appended, durable or not).
  virtual uint64_t Size() const = 0;
};

class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to n bytes at offset into scratch; returns the count, short only at end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual Result<uint64_t> Size() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens (creating if missing, mode 0644) for append.
  virtual Result<std::unique_ptr<AppendFile>> OpenAppend(const std::string& path) = 0;
  virtual Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;  // and fsync
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Names (not paths) of the entries of dir, without "." and "..", unsorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // mkdir -p; ok if it exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  // fsync of the directory itself, making creates/renames/removes in it durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // The process-wide POSIX implementation; never deleted.
  static FileSystem* Default();
};

// Whole-file helpers shared by meta files and checkpoints.
Result<std::string> ReadFileToString(FileSystem& fs, const std::string& path);
// Crash-atomic replace: write path.tmp, sync, rename over path, sync the directory.
Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view contents);
// "a/b/c" -> "a/b"; "c" -> ".".
std::string DirName(const std::string& path);

}  // namespace mailpulse
