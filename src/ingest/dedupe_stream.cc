#include "ingest/dedupe_stream.h"

#include <functional>
#include <optional>

#include "event/webhook_body.h"

namespace mailpulse {
namespace {

class DedupingReader final : public StreamReader {
 public:
  DedupingReader(std::unique_ptr<StreamReader> inner, DedupeOptions options,
                 std::atomic<uint64_t>* dropped, Counter* dropped_counter)
      : inner_(std::move(inner)),
        index_(options),
        dropped_(dropped),
        dropped_counter_(dropped_counter) {}

  // Learns the keys of `r` without filtering (the warm-up before the start).
  void Learn(const StreamRecord& r) {
    if (KeyOf(r)) index_.InsertDurable(key_, r.arrival_ms);
  }

  Result<std::vector<StreamRecord>> Read(size_t max_records, size_t max_bytes) override {
    MP_ASSIGN_OR_RETURN(std::vector<StreamRecord> batch, inner_->Read(max_records, max_bytes));
    size_t kept = 0;
    uint64_t dropped = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (KeyOf(batch[i])) {
        DedupeIndex::Query q{key_};
        // The record's own arrival is "now": decisions depend on the shard
        // alone, so a replay decides the same way.
        index_.CheckAndInsert({&q, 1}, batch[i].arrival_ms, durable_);
        if (q.outcome == DedupeIndex::Outcome::kDuplicate) {
          ++dropped;
          continue;
        }
      }
      if (kept != i) batch[kept] = std::move(batch[i]);
      ++kept;
    }
    batch.resize(kept);
    if (dropped) {
      dropped_->fetch_add(dropped);
      if (dropped_counter_) dropped_counter_->Inc(dropped);
    }
    return batch;
  }
  bool at_shard_end() const override { return inner_->at_shard_end(); }

 private:
  bool KeyOf(const StreamRecord& r) {
    if (!parser_.ParseOne(r.payload, r.arrival_ms, &el_).ok() || el_.reject_reason) return false;
    key_ = DedupeKey(el_.fields);
    return true;
  }

  std::unique_ptr<StreamReader> inner_;
  DedupeIndex index_;
  WebhookBodyParser parser_;
  BodyElement el_;
  std::string key_;
  std::shared_ptr<CommitTicket> durable_ = CommitTicket::Durable();
  std::atomic<uint64_t>* dropped_;
  Counter* dropped_counter_;
};

}  // namespace

DedupingStream::DedupingStream(Stream* inner, DedupeOptions options, MetricsRegistry* metrics)
    : inner_(inner), options_(options) {
  if (metrics) {
    dropped_counter_ = &metrics->GetCounter(
        "mailpulse_consumer_duplicates_total",
        "Duplicate events the consumers dropped from a remote stream (shard-local dedupe)");
  }
}

namespace {

// Reads `reader` until `stop` says a record is past the warm-up, or the shard
// has nothing more. Empty reads are retried a few times first: Kinesis may
// answer empty before it reaches the records.
Status ReadUntil(StreamReader& reader, const std::function<bool(const StreamRecord&)>& stop,
                 const std::function<void(const StreamRecord&)>& each) {
  for (int empty = 0; empty < 4 && !reader.at_shard_end();) {
    MP_ASSIGN_OR_RETURN(auto batch, reader.Read(4096, 16u << 20));
    if (batch.empty()) {
      ++empty;
      continue;
    }
    empty = 0;
    for (const StreamRecord& r : batch) {
      if (stop(r)) return Status::Ok();
      each(r);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<StreamReader>> DedupingStream::OpenReader(ShardId shard,
                                                                 StartPosition start) {
  MP_ASSIGN_OR_RETURN(std::unique_ptr<StreamReader> main, inner_->OpenReader(shard, start));
  auto reader =
      std::make_unique<DedupingReader>(std::move(main), options_, &dropped_, dropped_counter_);
  auto learn = [&reader](const StreamRecord& r) { reader->Learn(r); };
  // Warm-up: learn the keys of the window before the first record this
  // reader returns.
  using Kind = StartPosition::Kind;
  if (start.kind == Kind::kAfterSequence || start.kind == Kind::kAtSequence) {
    // The start record's arrival time bounds the window to re-read.
    MP_ASSIGN_OR_RETURN(auto probe, inner_->OpenReader(shard, StartPosition::At(start.seq)));
    std::optional<UnixMillis> start_ms;
    MP_RETURN_IF_ERROR(ReadUntil(
        *probe,
        [&start_ms](const StreamRecord& r) {
          start_ms = r.arrival_ms;
          return true;
        },
        [](const StreamRecord&) {}));
    if (start_ms) {
      MP_ASSIGN_OR_RETURN(
          auto warm,
          inner_->OpenReader(shard, StartPosition::AtTimestamp(*start_ms - options_.window_ms)));
      bool after = start.kind == Kind::kAfterSequence;
      MP_RETURN_IF_ERROR(ReadUntil(
          *warm,
          [&](const StreamRecord& r) { return after ? r.seq > start.seq : r.seq >= start.seq; },
          learn));
    }
  } else if (start.kind == Kind::kAtTimestamp) {
    MP_ASSIGN_OR_RETURN(
        auto warm, inner_->OpenReader(
                       shard, StartPosition::AtTimestamp(start.timestamp - options_.window_ms)));
    MP_RETURN_IF_ERROR(ReadUntil(
        *warm, [&](const StreamRecord& r) { return r.arrival_ms >= start.timestamp; }, learn));
  }
  return std::unique_ptr<StreamReader>(std::move(reader));
}

}  // namespace mailpulse
