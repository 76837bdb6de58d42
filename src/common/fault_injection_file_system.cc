#include "common/fault_injection_file_system.h"

#include <cerrno>
#include <string>

namespace mailpulse {

class FaultyAppendFile final : public AppendFile {
 public:
  FaultyAppendFile(FaultInjectingFileSystem* fs, std::string path, std::unique_ptr<AppendFile> base,
                   std::shared_ptr<FaultInjectingFileSystem::FileState> state)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)), state_(std::move(state)) {}

  Status Append(std::span<const std::string_view> parts) override {
    fs_->append_count_.fetch_add(1);
    if (FaultInjectingFileSystem::Take(fs_->fail_appends_)) {
      return Status::FromErrno(fs_->append_errno_.load(), "injected write fault " + path_);
    }
    int64_t tear = fs_->tear_after_.exchange(-1);
    if (tear >= 0) {
      // Write only the first `tear` bytes, as a crash mid-write would.
      std::string prefix;
      for (std::string_view p : parts) prefix.append(p);
      prefix.resize(std::min<size_t>(prefix.size(), static_cast<size_t>(tear)));
      Status s = base_->Append(std::string_view(prefix));
      Update(s);
      return Status::FromErrno(EIO, "injected torn write " + path_);
    }
    Status s = base_->Append(parts);
    Update(s);
    return s;
  }

  Status Sync() override {
    fs_->sync_count_.fetch_add(1);
    if (FaultInjectingFileSystem::Take(fs_->fail_syncs_)) {
      return Status::FromErrno(EIO, "injected fdatasync fault " + path_);
    }
    Status s = base_->Sync();
    if (s.ok()) {
      std::lock_guard<std::mutex> l(fs_->mu_);
      state_->synced = state_->size;
    }
    return s;
  }

  Status Truncate(uint64_t size) override {
    if (fs_->fail_truncates_.load())
      return Status::FromErrno(EIO, "injected truncate fault " + path_);
    Status s = base_->Truncate(size);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(fs_->mu_);
      state_->size = size;
      state_->synced = std::min(state_->synced, size);
    }
    return s;
  }

  uint64_t Size() const override { return base_->Size(); }

 private:
  void Update(const Status&) {
    std::lock_guard<std::mutex> l(fs_->mu_);
    state_->size = base_->Size();
  }

  FaultInjectingFileSystem* fs_;
  std::string path_;
  std::unique_ptr<AppendFile> base_;
  std::shared_ptr<FaultInjectingFileSystem::FileState> state_;
};

bool FaultInjectingFileSystem::Take(std::atomic<int>& counter) {
  int v = counter.load();
  while (v > 0) {
    if (counter.compare_exchange_weak(v, v - 1)) return true;
  }
  return false;
}

void FaultInjectingFileSystem::ClearFaults() {
  fail_syncs_.store(0);
  fail_appends_.store(0);
  tear_after_.store(-1);
  fail_truncates_.store(false);
}

Result<std::unique_ptr<AppendFile>> FaultInjectingFileSystem::OpenAppend(const std::string& path) {
  MP_ASSIGN_OR_RETURN(std::unique_ptr<AppendFile> base, base_->OpenAppend(path));
  std::shared_ptr<FileState> state;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto& slot = files_[path];
    if (!slot) {
      // Bytes already in the file when first seen count as durable.
      slot = std::make_shared<FileState>();
      slot->size = slot->synced = base->Size();
    }
    state = slot;
  }
  return std::unique_ptr<AppendFile>(
      std::make_unique<FaultyAppendFile>(this, path, std::move(base), std::move(state)));
}

Status FaultInjectingFileSystem::Truncate(const std::string& path, uint64_t size) {
  if (fail_truncates_.load()) return Status::FromErrno(EIO, "injected truncate fault " + path);
  MP_RETURN_IF_ERROR(base_->Truncate(path, size));  // syncs
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) it->second->size = it->second->synced = size;
  return Status::Ok();
}

Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  MP_RETURN_IF_ERROR(base_->Rename(from, to));
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  }
  return Status::Ok();
}

Status FaultInjectingFileSystem::Remove(const std::string& path) {
  MP_RETURN_IF_ERROR(base_->Remove(path));
  std::lock_guard<std::mutex> l(mu_);
  files_.erase(path);
  return Status::Ok();
}

Status FaultInjectingFileSystem::DropUnsyncedData() {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [path, state] : files_) {
    if (state->size == state->synced) continue;
    MP_RETURN_IF_ERROR(base_->Truncate(path, state->synced));
    state->size = state->synced;
  }
  return Status::Ok();
}

}  // namespace mailpulse
