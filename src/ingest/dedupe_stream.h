// DedupingStream: consumer-side dedupe for remote streams.
//
// With the embedded log one process acknowledges every event and its
// DedupeIndex is the guarantee. With Kinesis or Kafka many stateless ingest
// nodes write to the stream, and a retry from SendGrid may reach another node
// (a producer retry after a lost acknowledgement can also write a record
// twice), so duplicates do reach the stream. A message's events share a
// partition key, hence a shard, so consumers can drop them shard by shard:
// this decorator wraps the stream the consumers (delivery, analytics) read
// and filters every reader with a DedupeIndex keyed like ingest's
// (sg_event_id, or the fallback key of event.h).
//
// Deterministic, so replays stay exactly once: a record is a duplicate when
// the same key arrived earlier in the same shard less than `window_ms` before
// it (arrival times from the stream, never the wall clock). A reader opened
// after a checkpoint first re-reads the window before it to learn those keys,
// so a consumer restarted after a crash drops exactly what it dropped before
// (as long as the memory budget holds the window; see docs/operations.md).
// Records that cannot be parsed pass through (the consumers route them).
//
// Appends, checkpoints and Describe go straight to the wrapped stream.
#pragma once

#include <atomic>
#include <memory>

#include "common/metrics.h"
#include "ingest/dedupe_index.h"
#include "stream/stream.h"

namespace mailpulse {

class DedupingStream final : public Stream {
 public:
  // `inner` and `metrics` (may be null) must outlive this.
  DedupingStream(Stream* inner, DedupeOptions options, MetricsRegistry* metrics);

  uint32_t shard_count() const override { return inner_->shard_count(); }
  void Append(ShardId shard, std::vector<AppendRecord> records, AppendCallback done) override {
    inner_->Append(shard, std::move(records), std::move(done));
  }
  Result<std::unique_ptr<StreamReader>> OpenReader(ShardId shard, StartPosition start) override;
  Status SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) override {
    return inner_->SaveCheckpoint(consumer, shard, seq);
  }
  Result<SequenceNumber> LoadCheckpoint(std::string_view consumer, ShardId shard) override {
    return inner_->LoadCheckpoint(consumer, shard);
  }
  std::vector<ShardInfo> Describe() override { return inner_->Describe(); }
  void Close() override {}

  uint64_t dropped() const { return dropped_.load(); }

 private:
  Stream* inner_;
  DedupeOptions options_;
  Counter* dropped_counter_ = nullptr;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace mailpulse
