// ShardLog: one shard of the embedded stream — its segment files, its single
// writer thread with group commit, recovery on open, and retention
// (docs/formats/stream-log.md).
//
// Threads: Append is thread-safe and never blocks on I/O; it queues and wakes
// the writer thread, which takes everything queued since its last round,
// encodes it into ~1 MiB batches, writes them with one write and one
// fdatasync, publishes the new durable length to readers and then runs the
// callbacks (on the writer thread). Segment queries (for readers, Describe)
// take a short lock and copy small structs. RunRetention may be called from
// any thread.
//
// Ownership: the LocalStream owns its ShardLogs; LogReaders hold a raw
// pointer, so the stream must outlive its readers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/metrics.h"
#include "stream/local/record_batch.h"
#include "stream/stream.h"

namespace mailpulse {

// Per-shard metric handles (owned by a MetricsRegistry); any may be null.
struct ShardMetrics {
  Histogram* append_seconds = nullptr;
  Histogram* fsync_seconds = nullptr;
  Histogram* group_commit_appends = nullptr;
  Counter* records = nullptr;
  Counter* bytes = nullptr;
  Gauge* disk_bytes = nullptr;  // stream-wide
};

struct ShardLogOptions {
  std::string dir;  // <stream dir>/shard-NNNN
  ShardId shard;
  uint64_t segment_bytes = 128u << 20;
  int64_t retention_seconds = 0;   // 0 = keep forever
  uint64_t retention_bytes = 0;    // 0 = no cap
  uint64_t disk_budget_bytes = 0;  // 0 = no budget
  int compression_level = 1;
  bool read_only = false;  // no writer, no repair
  FileSystem* fs = nullptr;
  Clock* clock = nullptr;
  std::atomic<uint64_t>* stream_disk_bytes = nullptr;  // shared by all shards, for the budget
  ShardMetrics metrics;
};

// What readers and Describe see of one segment.
struct SegmentView {
  uint64_t first_seq = 0;   // from the file name
  uint64_t bytes = 0;       // readable length: whole durable batches
  uint64_t file_bytes = 0;  // length on disk
  uint64_t last_seq = 0;    // 0 when it holds no record
  uint64_t records = 0;
  int64_t min_arrival_ms = INT64_MAX;
  int64_t max_arrival_ms = INT64_MIN;
  bool active = false;
  Status corruption;  // non-ok: the batches after `bytes` are bad
};

class ShardLog {
 public:
  static Result<std::unique_ptr<ShardLog>> Open(const ShardLogOptions& options);
  ~ShardLog();
  ShardLog(const ShardLog&) = delete;
  ShardLog& operator=(const ShardLog&) = delete;

  void Append(std::vector<AppendRecord> records, AppendCallback done);
  // Completes everything queued, stops the writer thread. Idempotent.
  void Close();
  // Deletes expired / over-cap sealed segments now.
  void RunRetention();

  std::vector<SegmentView> Segments() const;
  std::optional<SegmentView> FindSegment(uint64_t first_seq) const;
  std::optional<SegmentView> SegmentAfter(uint64_t first_seq) const;
  std::optional<SegmentView> OldestSegment() const;
  std::optional<SegmentView> ActiveSegment() const;
  std::string SegmentPath(uint64_t first_seq) const;
  ShardInfo Info() const;
  FileSystem* fs() const { return opt_.fs; }

 private:
  struct PendingAppend {
    std::vector<AppendRecord> records;
    AppendCallback done;
    std::chrono::steady_clock::time_point enqueued;
    Status status;
    uint64_t first = 0;
    uint64_t last = 0;
  };

  explicit ShardLog(const ShardLogOptions& options);
  Status Recover();
  void WriterLoop();
  void ProcessRound(std::vector<PendingAppend>& round);
  // Writes out_ to the active segment and syncs; on failure rolls the file back.
  Status WriteAndSync(uint64_t last_seq, int64_t min_arrival, int64_t max_arrival,
                      uint64_t records);
  Status Roll();
  void Finish(PendingAppend& p, const Status& s);
  void AddDiskBytes(int64_t delta);

  const ShardLogOptions opt_;
  BatchEncoder encoder_;                     // writer thread only
  std::string out_;                          // writer thread only: the round's framed batches
  std::unique_ptr<AppendFile> active_file_;  // writer thread only
  uint64_t next_seq_ = 1;                    // writer thread only
  Status broken_;                            // writer thread only
  std::atomic<std::chrono::steady_clock::rep> last_retention_ns_{0};

  mutable std::mutex state_mu_;  // guards segments_
  std::map<uint64_t, SegmentView> segments_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingAppend> queue_;
  bool closing_ = false;
  std::thread writer_;

  std::mutex retention_mu_;
};

}  // namespace mailpulse
