#include "delivery/delivery_service.h"

#include <spdlog/spdlog.h>

#include "common/thread_name.h"
#include "stream/shard_lineage.h"

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
  probe_ = std::make_unique<DeliveryProbe>(*m, options.source);
  if (options.metrics != nullptr) options.metrics->AddRefresher([this] { RefreshLag(); });
}

DeliveryService::~DeliveryService() { Stop(); }

void DeliveryService::RefreshLag() {
  if (!started_.load()) return;
  UnixMillis now = opt_.clock->NowMillis();
  for (const ShardInfo& info : stream_->Describe()) {
    auto& g = probe_->shard(info.id);
    SequenceNumber cp = g.get_checkpoint();
    // Records past the checkpoint when the numbers count records (the
    // embedded log, Kafka); Kinesis' numbers do not, there lag_seconds tells.
    int64_t lag = 0;
    if (!cp.is_shard_end() && cp.fits_u64() && info.last_seq.fits_u64() && info.last_seq > cp)
      lag = static_cast<int64_t>(info.last_seq.u64() - cp.u64());
    g.lag_records->Set(lag);
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
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_.store(false);
  }
  StartReadyShards();
  supervisor_ = std::thread([this] {
    SetThreadName("mp-dl-" + opt_.source.substr(0, 3) + "-sup");
    while (!stopping_.load()) {
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait_for(l, std::chrono::milliseconds(opt_.shard_refresh_ms),
                     [this] { return stopping_.load() || shard_finished_; });
        shard_finished_ = false;
      }
      if (!stopping_.load()) StartReadyShards();
    }
  });
  started_.store(true);
}

void DeliveryService::StartReadyShards() {
  std::vector<ShardInfo> shards = stream_->Describe();
  std::set<ShardId> finished;
  {
    std::lock_guard<std::mutex> l(mu_);
    finished = finished_;
  }
  // A shard finished by an earlier run has its ShardEnd checkpoint.
  for (const ShardInfo& info : shards) {
    if (!info.closed || finished.count(info.id)) continue;
    auto cp = stream_->LoadCheckpoint(opt_.consumer, info.id);
    if (cp.ok() && cp->is_shard_end()) finished.insert(info.id);
  }
  std::lock_guard<std::mutex> l(mu_);
  finished_.insert(finished.begin(), finished.end());
  for (ShardId s : ReadyShards(shards, finished_)) {
    if (!running_.insert(s).second) continue;
    threads_.emplace_back([this, s] {
      SetThreadName("mp-dl-" + opt_.source.substr(0, 3) + "-" + std::to_string(s.value()));
      bool done = Run(s);
      std::lock_guard<std::mutex> l(mu_);
      if (done) {
        finished_.insert(s);
        shard_finished_ = true;
      }
      cv_.notify_all();
    });
  }
}

void DeliveryService::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_.store(true);
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> l(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  std::lock_guard<std::mutex> l(mu_);
  running_.clear();
}

void DeliveryService::SleepUnlessStopping(int64_t ms) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, std::chrono::milliseconds(ms), [this] { return stopping_.load(); });
}

bool DeliveryService::Run(ShardId shard) {
  ShardDelivererOptions so;
  so.consumer = opt_.consumer;
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
      if (d.finished()) return true;
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
      return false;
    }
    if (stopping_.load()) return false;
    probe_->failures.Inc();
    int64_t wait = so.backoff.BackoffMillis(std::min(attempt, 30), JitterDraw());
    spdlog::error("delivery {} shard {}: {}; restarting from the checkpoint in {} ms", opt_.source,
                  shard.value(), st.ToString(), wait);
    SleepUnlessStopping(wait);
  }
  return false;
}

}  // namespace mailpulse
