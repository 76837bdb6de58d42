#include "delivery/delivery_service.h"

#include <spdlog/spdlog.h>

#include "common/thread_name.h"

namespace mailpulse {

Result<std::unique_ptr<DeliveryService>> DeliveryService::Create(const DeliveryOptions& options,
                                                                 Stream* stream,
                                                                 ObjectStore* store) {
  if (options.buffer_bytes < (1u << 20) || options.buffer_bytes > (128u << 20)) {
    return Status::Invalid("buffer_size must be between 1 MiB and 128 MiB (Firehose's SizeInMBs)");
  }
  if (options.interval_seconds < 0 || options.interval_seconds > 900) {
    return Status::Invalid(
        "flush_interval must be between 0 and 900 seconds (Firehose's IntervalInSeconds)");
  }
  std::unique_ptr<DeliveryService> s(new DeliveryService(options, stream, store));
  MP_RETURN_IF_ERROR(PrefixTemplate::ParsePair(options.prefix, options.error_prefix,
                                               &s->batch_.prefix, &s->batch_.error_prefix));
  MP_ASSIGN_OR_RETURN(s->batch_.encoding, FindEncoding(options.encoding));
  if (s->batch_.prefix.uses_random() || s->batch_.error_prefix.uses_random()) {
    spdlog::warn(
        "lake prefix uses !{{firehose:random-string}}: a replay after a crash writes new keys, so "
        "delivery is at-least-once, not exactly-once");
  }
  return s;
}

DeliveryService::DeliveryService(const DeliveryOptions& options, Stream* stream, ObjectStore* store)
    : opt_(options), stream_(stream), store_(store) {
  batch_.source = options.source;
  batch_.error_source = options.error_source;
  batch_.compression_level = options.compression_level;
  MetricsRegistry* m = options.metrics;
  if (m == nullptr) {
    own_metrics_ = std::make_unique<MetricsRegistry>();
    m = own_metrics_.get();
  }
  probe_ = std::make_unique<DeliveryProbe>(*m, options.source, stream->shard_count());
  if (options.metrics != nullptr) options.metrics->AddRefresher([this] { RefreshLag(); });
}

DeliveryService::~DeliveryService() { Stop(); }

void DeliveryService::RefreshLag() {
  if (!started_.load()) return;
  UnixMillis now = opt_.clock->NowMillis();
  for (const ShardInfo& info : stream_->Describe()) {
    auto& g = probe_->shard(info.id.value());
    uint64_t cp = g.checkpoint.load();
    g.lag_records->Set(info.last_seq.value() > cp ? static_cast<int64_t>(info.last_seq.value() - cp)
                                                  : 0);
    int64_t oldest = g.oldest_pending_arrival_ms.load();
    g.lag_seconds->Set(oldest == 0 ? 0 : std::max<int64_t>(0, (now - oldest) / 1000));
  }
}

void DeliveryService::Start() {
  spdlog::info("delivery {}: {} shard(s) -> {}{} ({}, buffer {} MiB or {} s)", opt_.source,
               stream_->shard_count(), store_->Describe(), opt_.error_source ? " error prefix" : "",
               opt_.encoding, opt_.buffer_bytes >> 20, opt_.interval_seconds);
  if (opt_.put_concurrency > 1 && !put_pool_) {
    put_pool_ =
        std::make_unique<TaskPool>(opt_.put_concurrency, "mp-put-" + opt_.source.substr(0, 3));
  }
  for (uint32_t s = 0; s < stream_->shard_count(); ++s)
    threads_.emplace_back([this, s] {
      SetThreadName("mp-dl-" + opt_.source.substr(0, 3) + "-" + std::to_string(s));
      Run(ShardId(s));
    });
  started_.store(true);
}

void DeliveryService::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_.store(true);
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void DeliveryService::SleepUnlessStopping(int64_t ms) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, std::chrono::milliseconds(ms), [this] { return stopping_.load(); });
}

void DeliveryService::Run(ShardId shard) {
  ShardDelivererOptions so;
  so.buffer_bytes = opt_.buffer_bytes;
  so.interval_ms = opt_.interval_seconds * 1000;
  so.clock = opt_.clock;
  so.sleep = [this](int64_t ms) { SleepUnlessStopping(ms); };
  so.stopping = [this] { return stopping_.load(); };
  so.put_pool = put_pool_.get();
  for (int attempt = 0; !stopping_.load(); ++attempt) {
    // A fresh deliverer after any error: it re-reads from the checkpoint.
    ShardDeliverer d(so, &batch_, stream_, store_, shard, probe_.get());
    Status st = d.Recover();
    while (st.ok() && !stopping_.load()) {
      Result<size_t> n = d.Step();
      if (!n.ok()) {
        st = n.status();
      } else if (*n == 0) {
        SleepUnlessStopping(opt_.interval_seconds == 0 ? std::min<int64_t>(opt_.idle_poll_ms, 50)
                                                       : opt_.idle_poll_ms);
      }
    }
    if (st.ok()) {
      // Stopping: one last attempt (no retries) to write what is buffered;
      // if it fails the records are still in the stream past the checkpoint.
      Status fs = d.Flush();
      if (!fs.ok())
        spdlog::warn("delivery {} shard {}: final flush failed: {}", opt_.source, shard.value(),
                     fs.ToString());
      return;
    }
    if (stopping_.load()) return;
    probe_->failures.Inc();
    int64_t wait = so.backoff.BackoffMillis(std::min(attempt, 30), JitterDraw());
    spdlog::error("delivery {} shard {}: {}; restarting from the checkpoint in {} ms", opt_.source,
                  shard.value(), st.ToString(), wait);
    SleepUnlessStopping(wait);
  }
}

}  // namespace mailpulse
