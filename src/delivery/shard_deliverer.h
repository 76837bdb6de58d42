// ShardDeliverer: moves one shard of a stream into the lake, exactly once
// (docs/exactly-once.md). No threads of its own: DeliveryService runs one per
// shard on its own thread; tests drive it step by step.
//
// Protocol, per batch of records (checkpoint+1 .. E):
//   1. SaveCheckpoint("<consumer>.intent", E)   the cut is now fixed
//   2. Put every object of the batch            overwrites on replay; the puts
//                                               of a batch run concurrently
//   3. SaveCheckpoint("<consumer>", E)          the batch is done
// A closed shard (Kinesis) read to its end is flushed and checkpointed as
// SequenceNumber::ShardEnd(), after which finished() is true.
// Recover() finds an intent past the checkpoint (a crash between 1 and 3),
// re-reads exactly checkpoint+1..intent, rebuilds the same objects (same
// keys, same bytes: BatchBuilder is deterministic), puts them and moves the
// checkpoint. So every record ends up in exactly one object key.
//
// Buffering (Firehose's hints): a batch is cut when its uncompressed lines
// reach buffer_bytes, or when interval_ms has passed since its first record
// was read (0 = after every read). All partitions of a shard are cut
// together, so one checkpoint covers the batch.
//
// Failures: every store and checkpoint call is retried until it succeeds or
// `stopping` says so, with exponential backoff and jitter (RetryPolicy);
// meanwhile reading stops, so the backlog stays in the stream, not in memory.
// Not thread-safe: one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/task_pool.h"
#include "delivery/batch_builder.h"
#include "delivery/delivery_probe.h"
#include "storage/object_store.h"
#include "storage/retry_policy.h"
#include "stream/stream.h"

namespace mailpulse {

struct ShardDelivererOptions {
  std::string consumer = "delivery";  // checkpoint names: consumer, consumer + ".intent"
  uint64_t buffer_bytes = 8u << 20;
  int64_t interval_ms = 60'000;
  size_t read_records = 4096;
  RetryPolicy backoff{.max_attempts = 0, .initial_backoff_ms = 100, .max_backoff_ms = 10'000};
  Clock* clock = &Clock::System();
  // Interruptible sleep between retries; default: RealSleep().
  SleepFn sleep;
  // Polled between retries: true stops retrying (the call returns its error).
  std::function<bool()> stopping = [] { return false; };
  // Puts of one batch's objects run concurrently on this pool (shared by the
  // shards of a DeliveryService); null = one after another.
  TaskPool* put_pool = nullptr;
};

class ShardDeliverer {
 public:
  ShardDeliverer(const ShardDelivererOptions& options, const BatchOptions* batch, Stream* stream,
                 ObjectStore* store, ShardId shard, DeliveryProbe* probe);

  // Loads the checkpoint, completes an open intent, positions the reader.
  Status Recover();
  // Reads once and cuts a batch when a hint is reached. Returns the number of
  // records read (0 = caught up).
  Result<size_t> Step();
  // Writes whatever is buffered now (no-op when empty).
  Status Flush();

  SequenceNumber checkpoint() const { return checkpoint_; }
  // The shard is closed and every record of it is in the lake (checkpoint
  // ShardEnd): nothing more to do.
  bool finished() const { return finished_; }
  uint64_t buffered_bytes() const { return builder_.raw_bytes(); }

 private:
  Status WriteBatch();
  Status PutObjects(const std::vector<LakeObject>& objects);
  Status Retrying(const char* what, const std::function<Status()>& op);
  std::string IntentName() const { return opt_.consumer + ".intent"; }

  ShardDelivererOptions opt_;
  const BatchOptions* batch_;
  Stream* stream_;
  ObjectStore* store_;
  ShardId shard_;
  DeliveryProbe* probe_;
  BatchBuilder builder_;
  std::vector<StreamRecord> read_buffer_;  // Step's records, reused across calls
  std::unique_ptr<StreamReader> reader_;
  SequenceNumber checkpoint_;
  UnixMillis batch_started_ms_ = 0;
  bool finished_ = false;
};

}  // namespace mailpulse
