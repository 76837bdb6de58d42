// LocalStream: the embedded Stream backend — one segmented append-only log
// per shard under a directory (docs/formats/stream-log.md).
//
// Durability: an append's callback reports ok only after its records are
// fdatasync'd; appends arriving together share one write and one sync (group
// commit per shard). Open recovers from a crash at any point: torn or corrupt
// tails of the newest segment are cut, every fully written batch is kept and
// sequence numbers continue.
//
// Threads: one writer thread per shard, started by Open and joined by Close
// (the destructor calls Close). All methods are thread-safe; readers are not
// shared between threads and must be destroyed before the stream.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/metrics.h"
#include "stream/local/checkpoint_store.h"
#include "stream/local/shard_log.h"
#include "stream/stream.h"

namespace mailpulse {

struct LocalStreamOptions {
  std::string dir;
  uint32_t shards = 4;  // fixed when the directory is created
  uint64_t segment_bytes = 128u << 20;
  int64_t retention_seconds = 168 * 3600;  // 0 = keep forever
  uint64_t retention_bytes_per_shard = 0;  // 0 = no cap
  uint64_t disk_budget_bytes = 0;          // 0 = no budget
  int compression_level = 1;               // zstd level; 0 = store uncompressed
  // Open without writer threads and without repairing anything (the CLI's
  // `stream read` next to a running server): appends fail with kRetry.
  bool read_only = false;
  FileSystem* fs = FileSystem::Default();
  Clock* clock = &Clock::System();
  MetricsRegistry* metrics = nullptr;
  std::string metrics_name = "events";
};

class LocalStream final : public Stream {
 public:
  static Result<std::unique_ptr<LocalStream>> Open(const LocalStreamOptions& options);
  ~LocalStream() override;

  uint32_t shard_count() const override { return static_cast<uint32_t>(shards_.size()); }
  void Append(ShardId shard, std::vector<AppendRecord> records, AppendCallback done) override;
  Result<std::unique_ptr<StreamReader>> OpenReader(ShardId shard, StartPosition start) override;
  Status SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) override;
  Result<SequenceNumber> LoadCheckpoint(std::string_view consumer, ShardId shard) override;
  std::vector<ShardInfo> Describe() override;
  void Close() override;

  // Applies retention on every shard now (it also runs on its own after
  // segment rolls and about once a second).
  void RunRetention();
  // Bytes of all segments of all shards.
  uint64_t disk_bytes() const { return disk_bytes_.load(); }

 private:
  explicit LocalStream(const LocalStreamOptions& options);
  Status Init();

  const LocalStreamOptions opt_;
  std::atomic<uint64_t> disk_bytes_{0};
  std::vector<std::unique_ptr<ShardLog>> shards_;
  std::unique_ptr<CheckpointStore> checkpoints_;
};

}  // namespace mailpulse
