#include "analytics/spill_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <system_error>

namespace mailpulse {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCheckpointPrefix = "ckpt-";

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string m = "spill store " + std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(std::move(m));
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Status::Retry(std::move(m));
  return Status::Fail(std::move(m));
}

Status FromErrorCode(const std::error_code& ec, const std::string& what) {
  if (!ec) return Status::Ok();
  return Status::FromErrno(ec.value(), what);
}

// Calls fn for each entry of `dir`, without exceptions (a file removed
// meanwhile is not an error).
template <typename Fn>
Status ForEachEntry(const std::string& dir, Fn&& fn) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    MP_RETURN_IF_ERROR(fn(*it));
  }
  return FromErrorCode(ec, "list " + dir);
}

std::string CheckpointDir(const std::string& root, uint64_t gen) {
  return (fs::path(root) / (std::string(kCheckpointPrefix) + std::to_string(gen))).string();
}

// A copy of checkpoint `from` in `to`: SST files are immutable, so they are
// hard-linked (copied across file systems); MANIFEST, CURRENT and OPTIONS
// are copied because RocksDB may append to them.
Status RestoreCheckpoint(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  MP_RETURN_IF_ERROR(FromErrorCode(ec, "create " + to));
  return ForEachEntry(from, [&to](const fs::directory_entry& e) {
    std::error_code ec;
    fs::path dst = fs::path(to) / e.path().filename();
    if (e.path().extension() == ".sst") {
      fs::create_hard_link(e.path(), dst, ec);
      if (!ec) return Status::Ok();
    }
    fs::copy_file(e.path(), dst, fs::copy_options::overwrite_existing, ec);
    return FromErrorCode(ec, "copy " + e.path().string());
  });
}

}  // namespace

SpillStore::SpillStore(std::string root, std::string live, bool remove_live)
    : root_(std::move(root)), live_(std::move(live)), remove_live_(remove_live) {}

SpillStore::~SpillStore() {
  db_.reset();
  if (remove_live_) {
    std::error_code ec;
    fs::remove_all(live_, ec);
  }
}

Result<std::unique_ptr<SpillStore>> SpillStore::Open(const std::string& root, uint64_t generation,
                                                     const std::string& live_dir) {
  std::string live = live_dir.empty() ? (fs::path(root) / "live").string() : live_dir;
  std::unique_ptr<SpillStore> s(new SpillStore(root, live, !live_dir.empty()));
  std::error_code ec;
  fs::create_directories(root, ec);
  MP_RETURN_IF_ERROR(FromErrorCode(ec, "create " + root));
  std::string from = CheckpointDir(root, generation);
  if (generation != 0 && !fs::is_directory(from)) {
    return Status::Corruption("analytics spill checkpoint " + from +
                              " named by the snapshot is missing; run `mailpulse rebuild`");
  }
  fs::remove_all(live, ec);
  MP_RETURN_IF_ERROR(FromErrorCode(ec, "remove " + live));
  if (generation != 0) MP_RETURN_IF_ERROR(RestoreCheckpoint(from, live));
  rocksdb::Options o;
  o.create_if_missing = true;
  o.max_open_files = 256;
  o.write_buffer_size = 16 << 20;
  o.compression = rocksdb::kNoCompression;  // values are a few varints
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  rocksdb::DB* db = nullptr;
  MP_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(o, live, &db), "open " + live));
  s->db_.reset(db);
  return s;
}

Status SpillStore::Put(const std::vector<std::pair<std::string, std::string>>& batch) {
  rocksdb::WriteBatch wb;
  for (const auto& [k, v] : batch) {
    MP_RETURN_IF_ERROR(FromRocks(wb.Put(k, v), "batch"));
  }
  rocksdb::WriteOptions w;
  w.disableWAL = true;  // durability comes from checkpoints only
  return FromRocks(db_->Write(w, &wb), "write");
}

Result<bool> SpillStore::Take(std::string_view id, std::string* value) {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(id.data(), id.size()), value);
  if (s.IsNotFound()) return false;
  MP_RETURN_IF_ERROR(FromRocks(s, "get"));
  rocksdb::WriteOptions w;
  w.disableWAL = true;
  MP_RETURN_IF_ERROR(FromRocks(db_->Delete(w, rocksdb::Slice(id.data(), id.size())), "delete"));
  return true;
}

Status SpillStore::Checkpoint(uint64_t generation) {
  MP_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions()), "flush"));
  std::string dir = CheckpointDir(root_, generation);
  std::error_code ec;
  fs::remove_all(dir, ec);  // a leftover of a crash before its snapshot was written
  MP_RETURN_IF_ERROR(FromErrorCode(ec, "remove " + dir));
  rocksdb::Checkpoint* cp = nullptr;
  MP_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &cp), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> owned(cp);
  return FromRocks(owned->CreateCheckpoint(dir), "checkpoint " + dir);
}

Status SpillStore::DropCheckpointsExcept(uint64_t keep) {
  std::string keep_name = std::string(kCheckpointPrefix) + std::to_string(keep);
  return ForEachEntry(root_, [&keep_name](const fs::directory_entry& e) {
    std::string name = e.path().filename().string();
    if (!name.starts_with(kCheckpointPrefix) || name == keep_name) return Status::Ok();
    std::error_code ec;
    fs::remove_all(e.path(), ec);
    return FromErrorCode(ec, "remove " + e.path().string());
  });
}

uint64_t SpillStore::disk_bytes() const {
  uint64_t n = 0;
  (void)ForEachEntry(live_, [&n](const fs::directory_entry& e) {
    std::error_code ec;
    uint64_t size = e.is_regular_file(ec) ? e.file_size(ec) : 0;
    if (!ec) n += size;
    return Status::Ok();
  });
  return n;
}

}  // namespace mailpulse
