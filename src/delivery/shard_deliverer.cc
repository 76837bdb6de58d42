#include "delivery/shard_deliverer.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace mailpulse {
namespace {

Result<SequenceNumber> LoadOrZero(Stream* stream, std::string_view name, ShardId shard) {
  auto r = stream->LoadCheckpoint(name, shard);
  if (r.ok()) return *r;
  if (r.status().kind() == ErrorKind::kNotFound) return SequenceNumber();
  return r.status();
}

StartPosition After(SequenceNumber s) {
  return s.is_zero() ? StartPosition::TrimHorizon() : StartPosition::After(s);
}

}  // namespace

ShardDeliverer::ShardDeliverer(const ShardDelivererOptions& options, const BatchOptions* batch,
                               Stream* stream, ObjectStore* store, ShardId shard,
                               DeliveryProbe* probe)
    : opt_(options),
      batch_(batch),
      stream_(stream),
      store_(store),
      shard_(shard),
      probe_(probe),
      builder_(batch, shard) {
  if (!opt_.sleep) opt_.sleep = RealSleep();
}

Status ShardDeliverer::Retrying(const char* what, const std::function<Status()>& op) {
  for (int n = 0;; ++n) {
    Status st = op();
    if (st.ok()) return st;
    probe_->failures.Inc();
    if (opt_.stopping()) return st;
    int64_t wait = opt_.backoff.BackoffMillis(std::min(n, 30), JitterDraw());
    spdlog::warn("delivery {} shard {}: {} failed (attempt {}), retrying in {} ms: {}",
                 batch_->source, shard_.value(), what, n + 1, wait, st.ToString());
    opt_.sleep(wait);
    probe_->retries.Inc();
  }
}

Status ShardDeliverer::Recover() {
  SequenceNumber intent;
  MP_RETURN_IF_ERROR(Retrying("load checkpoint", [&]() -> Status {
    MP_ASSIGN_OR_RETURN(checkpoint_, LoadOrZero(stream_, opt_.consumer, shard_));
    MP_ASSIGN_OR_RETURN(intent, LoadOrZero(stream_, IntentName(), shard_));
    return Status::Ok();
  }));
  probe_->shard(shard_).set_checkpoint(checkpoint_);
  if (checkpoint_.is_shard_end()) {
    finished_ = true;  // a closed shard delivered to its end earlier
    return Status::Ok();
  }
  if (intent > checkpoint_) {
    // A batch was cut but maybe not fully stored: rebuild exactly that batch.
    spdlog::info(
        "delivery {} shard {}: replaying the batch after {} through {} after an "
        "interrupted flush",
        batch_->source, shard_.value(), checkpoint_.ToString(), intent.ToString());
    MP_ASSIGN_OR_RETURN(auto reader, stream_->OpenReader(shard_, After(checkpoint_)));
    bool done = false;
    while (!done) {
      MP_ASSIGN_OR_RETURN(auto records, reader->Read(opt_.read_records, 16u << 20));
      if (records.empty()) break;  // retention removed the tail: deliver what exists
      for (const StreamRecord& r : records) {
        if (r.seq > intent) {
          done = true;
          break;
        }
        builder_.Add(r);
      }
    }
    if (builder_.empty()) {
      MP_RETURN_IF_ERROR(Retrying("save checkpoint", [&] {
        return stream_->SaveCheckpoint(opt_.consumer, shard_, intent);
      }));
      checkpoint_ = intent;
    } else {
      MP_RETURN_IF_ERROR(WriteBatch());
    }
  }
  MP_ASSIGN_OR_RETURN(reader_, stream_->OpenReader(shard_, After(checkpoint_)));
  return Status::Ok();
}

Result<size_t> ShardDeliverer::Step() {
  if (finished_) return 0;
  if (!reader_) return Status::Fail("ShardDeliverer::Step before Recover");
  // Never read more than the size hint into memory.
  size_t max_bytes = std::max<uint64_t>(64 << 10, opt_.buffer_bytes > builder_.raw_bytes()
                                                      ? opt_.buffer_bytes - builder_.raw_bytes()
                                                      : 0);
  std::vector<StreamRecord>& records = read_buffer_;  // reused: no allocation per record
  MP_RETURN_IF_ERROR(reader_->ReadInto(&records, opt_.read_records, max_bytes));
  auto& gauges = probe_->shard(shard_);
  for (const StreamRecord& r : records) {
    if (builder_.empty()) {
      batch_started_ms_ = opt_.clock->NowMillis();
      gauges.oldest_pending_arrival_ms.store(r.arrival_ms);
    }
    builder_.Add(r);
    if (builder_.raw_bytes() >= opt_.buffer_bytes) MP_RETURN_IF_ERROR(WriteBatch());
  }
  if (!builder_.empty() && opt_.clock->NowMillis() - batch_started_ms_ >= opt_.interval_ms) {
    MP_RETURN_IF_ERROR(WriteBatch());
  }
  if (reader_->at_shard_end()) {
    // A closed shard (Kinesis reshard) read to its end: write the rest now,
    // then mark it done so its children may start (stream/shard_lineage.h).
    MP_RETURN_IF_ERROR(Flush());
    MP_RETURN_IF_ERROR(Retrying("save checkpoint", [&] {
      return stream_->SaveCheckpoint(opt_.consumer, shard_, SequenceNumber::ShardEnd());
    }));
    checkpoint_ = SequenceNumber::ShardEnd();
    probe_->shard(shard_).set_checkpoint(checkpoint_);
    finished_ = true;
    spdlog::info("delivery {} shard {}: closed shard delivered to its end", batch_->source,
                 shard_.value());
  }
  return records.size();
}

Status ShardDeliverer::Flush() { return builder_.empty() ? Status::Ok() : WriteBatch(); }

Status ShardDeliverer::PutObjects(const std::vector<LakeObject>& objects) {
  auto put = [this](const LakeObject& o) {
    PutOptions po;
    po.content_type = o.content_type;
    Status st = Retrying("put object", [&] { return store_->Put(o.key, o.data, po); });
    if (st.ok()) {
      probe_->objects.Inc();
      probe_->bytes.Inc(o.data.size());
    }
    return st;
  };
  if (opt_.put_pool == nullptr || objects.size() < 2) {
    for (const LakeObject& o : objects) MP_RETURN_IF_ERROR(put(o));
    return Status::Ok();
  }
  // Each put retries on its own until it succeeds (or stopping), so a
  // failure here only means the service is stopping: report the first.
  std::vector<Status> results(objects.size());
  std::vector<std::function<void()>> tasks;
  tasks.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    tasks.emplace_back([&, i] { results[i] = put(objects[i]); });
  }
  opt_.put_pool->RunAll(std::move(tasks));
  for (const Status& st : results) MP_RETURN_IF_ERROR(st);
  return Status::Ok();
}

Status ShardDeliverer::WriteBatch() {
  auto start = std::chrono::steady_clock::now();
  SequenceNumber end = builder_.last_seq();
  const UnixMillis oldest_arrival = builder_.oldest_arrival_ms();
  uint64_t records = builder_.records(), error_records = builder_.error_records();
  MP_ASSIGN_OR_RETURN(std::vector<LakeObject> objects, builder_.Finish());
  MP_RETURN_IF_ERROR(
      Retrying("save intent", [&] { return stream_->SaveCheckpoint(IntentName(), shard_, end); }));
  MP_RETURN_IF_ERROR(PutObjects(objects));
  MP_RETURN_IF_ERROR(Retrying("save checkpoint",
                              [&] { return stream_->SaveCheckpoint(opt_.consumer, shard_, end); }));
  checkpoint_ = end;
  auto& gauges = probe_->shard(shard_);
  gauges.set_checkpoint(end);
  gauges.oldest_pending_arrival_ms.store(0);
  probe_->records.Inc(records);
  probe_->error_records.Inc(error_records);
  if (oldest_arrival > 0) {
    probe_->latency_seconds.Observe(
        static_cast<double>(std::max<int64_t>(0, opt_.clock->NowMillis() - oldest_arrival)) /
        1000.0);
  }
  probe_->flush_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return Status::Ok();
}

}  // namespace mailpulse
