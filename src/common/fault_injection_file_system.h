// FaultInjectingFileSystem: a FileSystem wrapper for crash and fault tests.
//
// It forwards to a real FileSystem (normally FileSystem::Default() over a
// temporary directory) while remembering, per file, how many bytes were
// appended and how many were made durable by Sync. Tests can then:
//   - fail the next N syncs (EIO),
//   - fail writes with an errno (ENOSPC, EIO) for the next N appends,
//   - tear the next append after K bytes (only that prefix reaches the file),
//   - fail truncates (the "cannot even roll back" path),
//   - DropUnsyncedData(): cut every file back to its last synced length, i.e.
//     what survives a power loss or kill -9 at this instant.
// Thread-safe; the wrapper must outlive every file it opened.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "common/file_system.h"

namespace mailpulse {

class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem* base = FileSystem::Default()) : base_(base) {}

  // --- fault controls (thread-safe) ---
  void FailNextSyncs(int n) { fail_syncs_.store(n); }
  void FailNextAppends(int n, int err) {
    append_errno_.store(err);
    fail_appends_.store(n);
  }
  void TearNextAppend(uint64_t after_bytes) {
    tear_after_.store(static_cast<int64_t>(after_bytes));
  }
  void FailTruncates(bool on) { fail_truncates_.store(on); }
  void ClearFaults();
  // Truncates every file this wrapper saw to its last synced length.
  Status DropUnsyncedData();

  // --- observation ---
  int sync_count() const { return sync_count_.load(); }
  int append_count() const { return append_count_.load(); }

  // --- FileSystem ---
  Result<std::unique_ptr<AppendFile>> OpenAppend(const std::string& path) override;
  Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override {
    return base_->OpenReadable(path);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Status Truncate(const std::string& path, uint64_t size) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Status CreateDir(const std::string& dir) override { return base_->CreateDir(dir); }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }

 private:
  friend class FaultyAppendFile;
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  // Consumes one unit of a countdown fault; true if it fires.
  static bool Take(std::atomic<int>& counter);

  FileSystem* base_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;
  std::atomic<int> fail_syncs_{0};
  std::atomic<int> fail_appends_{0};
  std::atomic<int> append_errno_{0};
  std::atomic<int64_t> tear_after_{-1};
  std::atomic<bool> fail_truncates_{false};
  std::atomic<int> sync_count_{0};
  std::atomic<int> append_count_{0};
};

}  // namespace mailpulse
