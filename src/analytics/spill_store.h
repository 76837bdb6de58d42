// SpillStore: per-message analytics state that does not fit the memory
// budget, on disk in RocksDB (message id -> encoded MessageState), under
// DATA_DIR/analytics/spill/ (docs/analytics.md, "Memory" and "Exactness").
//
// Why RocksDB: a sorted, compacting key-value store with cheap hard-link
// checkpoints, which is exactly what keeping it consistent with the KPI
// snapshot needs. Layout of `root`:
//   live/          the store being written (WAL off: never read after a crash)
//   ckpt-<gen>/    a RocksDB checkpoint (hard links to immutable SST files)
// The KPI snapshot records the generation of the checkpoint taken with it.
// Open() throws `live/` away and restores it from `ckpt-<gen>` (0: empty),
// so after any crash the disk state is the one the snapshot was taken with,
// and replaying the stream after the snapshot is exact.
//
// Errors are values; the caller (MessageTable) keeps the first one sticky.
// Not thread-safe: used by the analytics consumer thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/message_table.h"
#include "common/status.h"

namespace rocksdb {
class DB;
}

namespace mailpulse {

class SpillStore final : public MessageSpill {
 public:
  // `live_dir` empty: `root`/live. A read-only tool passes its own scratch
  // directory so the server's files are never written.
  static Result<std::unique_ptr<SpillStore>> Open(const std::string& root, uint64_t generation,
                                                  const std::string& live_dir = "");
  ~SpillStore() override;

  // Writes (id, encoded state) pairs in one batch.
  Status Put(const std::vector<std::pair<std::string, std::string>>& batch) override;
  // Reads and deletes the value of `id`; false when absent.
  Result<bool> Take(std::string_view id, std::string* value) override;

  // Flushes and writes checkpoint `generation` (which must be new).
  Status Checkpoint(uint64_t generation);
  // Deletes every checkpoint but `keep` (after the snapshot naming it is durable).
  Status DropCheckpointsExcept(uint64_t keep);

  const std::string& root() const { return root_; }
  // Bytes of the live store's files (SST + logs), for metrics.
  uint64_t disk_bytes() const;

 private:
  SpillStore(std::string root, std::string live, bool remove_live);

  std::string root_;
  std::string live_;
  bool remove_live_;  // scratch directory: removed on close
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace mailpulse
