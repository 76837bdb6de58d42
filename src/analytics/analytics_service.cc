#include "analytics/analytics_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/thread_name.h"
#include "stream/shard_lineage.h"

namespace mailpulse {

AnalyticsService::AnalyticsService(Stream* stream, AnalyticsOptions options)
    : stream_(stream), opt_(std::move(options)), decoder_(opt_.campaign_key), store_(opt_.store) {
  if (opt_.metrics) {
    MetricsRegistry& m = *opt_.metrics;
    events_counter_ =
        &m.GetCounter("mailpulse_analytics_events_total", "Stream records applied to the KPIs");
    skipped_counter_ = &m.GetCounter("mailpulse_analytics_skipped_total",
                                     "Stream records analytics could not decode");
    snapshots_counter_ =
        &m.GetCounter("mailpulse_analytics_snapshots_total", "Analytics snapshots written");
    Gauge& msgs = m.GetGauge("mailpulse_analytics_messages", "Messages with per-message KPI state");
    Gauge& bytes = m.GetGauge("mailpulse_analytics_message_memory_bytes",
                              "Memory of the per-message KPI state");
    Gauge& evicted = m.GetGauge("mailpulse_analytics_messages_evicted",
                                "Messages forgotten from KPI state (budget, no spill store)");
    Gauge& spilled = m.GetGauge("mailpulse_analytics_messages_spilled",
                                "Messages whose KPI state is on disk (budget)");
    Gauge& lookups = m.GetGauge("mailpulse_analytics_spill_disk_lookups",
                                "Disk lookups of spilled message state (bloom filter said maybe)");
    Gauge& hits = m.GetGauge("mailpulse_analytics_spill_disk_hits",
                             "Spilled message states read back into memory");
    Gauge& filter = m.GetGauge("mailpulse_analytics_spill_filter_bytes",
                               "Memory of the bloom filter over spilled message ids");
    Gauge& disk = m.GetGauge("mailpulse_analytics_spill_disk_bytes",
                             "Disk used by the spill store's working copy");
    m.AddRefresher([this, &msgs, &bytes, &evicted, &spilled, &lookups, &hits, &filter, &disk] {
      Read([&](const KpiStore& s) {
        const MessageTable& t = s.messages();
        msgs.Set(static_cast<int64_t>(t.size()));
        bytes.Set(static_cast<int64_t>(t.memory_bytes()));
        evicted.Set(static_cast<int64_t>(t.evictions()));
        spilled.Set(static_cast<int64_t>(t.spilled()));
        lookups.Set(static_cast<int64_t>(t.disk_lookups()));
        hits.Set(static_cast<int64_t>(t.disk_hits()));
        filter.Set(static_cast<int64_t>(t.filter_memory_bytes()));
        disk.Set(static_cast<int64_t>(s.spill_disk_bytes()));
      });
    });
  }
}

AnalyticsService::~AnalyticsService() {
  stop_.store(true);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::unique_ptr<AnalyticsService>> AnalyticsService::Open(Stream* stream,
                                                                 AnalyticsOptions options) {
  std::unique_ptr<AnalyticsService> s(new AnalyticsService(stream, std::move(options)));
  MP_RETURN_IF_ERROR(s->Load());
  return s;
}

Status AnalyticsService::Load() {
  positions_.clear();
  if (!opt_.snapshot_path.empty()) {
    auto blob = ReadFileToString(*opt_.fs, opt_.snapshot_path);
    if (blob.ok()) {
      StreamPositions pos;
      MP_RETURN_IF_ERROR(store_.Deserialize(*blob, &pos));
      uint32_t limit = ShardLimit();
      if (!pos.empty() && pos.rbegin()->first.value() >= limit) {
        return Status::Fail("analytics snapshot has a position on shard " +
                            std::to_string(pos.rbegin()->first.value()) +
                            ", which the stream never had (its shard ids are below " +
                            std::to_string(limit) + "); run `mailpulse rebuild`");
      }
      positions_ = std::move(pos);
      spdlog::info("analytics: snapshot loaded ({} campaigns, {} messages)",
                   store_.campaigns().size(), store_.messages().size());
    } else if (blob.status().kind() != ErrorKind::kNotFound) {
      return blob.status();
    }
  }
  if (!opt_.spill_dir.empty()) {
    MP_RETURN_IF_ERROR(store_.AttachSpill(opt_.spill_dir, opt_.spill_live_dir));
  } else if (store_.messages().spilled() != 0) {
    return Status::Fail("analytics snapshot has " + std::to_string(store_.messages().spilled()) +
                        " messages on disk, but no spill directory is configured");
  }
  MP_RETURN_IF_ERROR(OpenReaders());
  published_version_.store(store_.version(), std::memory_order_release);
  return Status::Ok();
}

uint32_t AnalyticsService::ShardLimit() {
  uint32_t limit = stream_->shard_count();
  for (const ShardInfo& info : stream_->Describe()) limit = std::max(limit, info.id.value() + 1);
  return limit;
}

Status AnalyticsService::OpenReaders() {
  readers_.clear();
  return RefreshShards();
}

Status AnalyticsService::RefreshShards() {
  std::set<ShardId> finished;
  for (const auto& [shard, seq] : positions_)
    if (seq.is_shard_end()) finished.insert(shard);
  for (ShardId s : ReadyShards(stream_->Describe(), finished)) {
    if (readers_.count(s)) continue;
    auto it = positions_.find(s);
    StartPosition start = it == positions_.end() || it->second.is_zero()
                              ? StartPosition::TrimHorizon()
                              : StartPosition::After(it->second);
    MP_ASSIGN_OR_RETURN(auto reader, stream_->OpenReader(s, start));
    readers_.emplace(s, std::move(reader));
  }
  last_refresh_ms_ = opt_.clock->NowMillis();
  return Status::Ok();
}

Result<LakeReplayStats> AnalyticsService::ApplyLake(ObjectStore& lake) {
  if (thread_.joinable() || store_.events_applied() != 0 || !positions_.empty()) {
    return Status::Invalid("analytics: the lake is replayed into an empty, stopped store only");
  }
  LakeReplayStats stats;
  {
    std::unique_lock lock(mu_);
    MP_ASSIGN_OR_RETURN(stats, ReplayLake(lake, ShardLimit(), decoder_,
                                          [this](const KpiEvent& e) { store_.Apply(e); }));
    MP_RETURN_IF_ERROR(store_.status());
    positions_ = stats.positions;
  }
  skipped_ += stats.skipped;
  if (skipped_counter_ && stats.skipped) skipped_counter_->Inc(stats.skipped);
  if (events_counter_) events_counter_->Inc(stats.lines);
  published_version_.store(store_.version(), std::memory_order_release);
  MP_RETURN_IF_ERROR(OpenReaders());
  return stats;
}

Status AnalyticsService::PollOnce(size_t* applied) {
  *applied = 0;
  bool shard_ended = false;
  for (auto it = readers_.begin(); it != readers_.end();) {
    ShardId s = it->first;
    StreamReader& reader = *it->second;
    std::vector<StreamRecord>& batch = read_buffer_;  // reused: no allocation per record
    MP_RETURN_IF_ERROR(reader.ReadInto(&batch, 1024, 4 << 20));
    for (size_t i = 0; i < batch.size(); i += kApplySlice) {
      size_t end = std::min(batch.size(), i + kApplySlice);
      uint64_t bad = 0;
      {
        std::unique_lock lock(mu_);
        KpiEvent e;
        for (size_t j = i; j < end; ++j) {
          Status st = decoder_.Decode(batch[j].payload, &e);
          if (!st.ok()) {
            ++bad;
            spdlog::warn("analytics: shard {} seq {}: {}", s.value(), batch[j].seq.ToString(),
                         st.message());
          } else {
            store_.Apply(e);
          }
          positions_[s] = batch[j].seq;
        }
      }
      published_version_.store(store_.version(), std::memory_order_release);
      MP_RETURN_IF_ERROR(store_.status());
      skipped_ += bad;
      if (skipped_counter_ && bad) skipped_counter_->Inc(bad);
      if (events_counter_) events_counter_->Inc(end - i - bad);
    }
    *applied += batch.size();
    if (reader.at_shard_end()) {
      // Every record of this closed shard is applied: its children may start.
      spdlog::info("analytics: shard {} read to its end", s.value());
      positions_[s] = SequenceNumber::ShardEnd();
      it = readers_.erase(it);
      shard_ended = true;
    } else {
      ++it;
    }
  }
  if (shard_ended || opt_.clock->NowMillis() - last_refresh_ms_ >= opt_.shard_refresh_ms) {
    MP_RETURN_IF_ERROR(RefreshShards());
  }
  return Status::Ok();
}

Status AnalyticsService::CatchUp() {
  size_t applied = 0;
  do {
    MP_RETURN_IF_ERROR(PollOnce(&applied));
  } while (applied > 0);
  return Status::Ok();
}

Status AnalyticsService::Snapshot() {
  // Only the consumer thread (or the controlling thread when it is stopped)
  // mutates the store, so reading it here needs no lock.
  // After a spill-store error the state is not exact: keep the last snapshot.
  MP_RETURN_IF_ERROR(store_.status());
  StreamPositions pos = positions_;
  if (!opt_.snapshot_path.empty()) {
    MP_RETURN_IF_ERROR(opt_.fs->CreateDir(DirName(opt_.snapshot_path)));
    MP_RETURN_IF_ERROR(store_.CheckpointSpill());
    MP_RETURN_IF_ERROR(WriteFileAtomically(*opt_.fs, opt_.snapshot_path, store_.Serialize(pos)));
    MP_RETURN_IF_ERROR(store_.DropOldSpillCheckpoints());
    if (snapshots_counter_) snapshots_counter_->Inc();
  }
  if (opt_.save_checkpoints && !opt_.snapshot_path.empty()) {
    for (const auto& [shard, seq] : pos) {
      if (!seq.is_zero())
        MP_RETURN_IF_ERROR(stream_->SaveCheckpoint(kAnalyticsConsumer, shard, seq));
    }
  }
  return Status::Ok();
}

void AnalyticsService::Start() {
  stop_.store(false);
  thread_ = std::thread([this] {
    SetThreadName("mp-analytics");
    Run();
  });
}

void AnalyticsService::Run() {
  UnixMillis last_snapshot = opt_.clock->NowMillis();
  uint64_t snapshot_version = store_.version();
  while (!stop_.load()) {
    size_t applied = 0;
    Status st = PollOnce(&applied);
    if (!st.ok()) spdlog::warn("analytics: read failed: {}", st.message());
    UnixMillis now = opt_.clock->NowMillis();
    if (now - last_snapshot >= opt_.snapshot_interval_ms && store_.version() != snapshot_version) {
      Status ss = Snapshot();
      if (!ss.ok()) spdlog::warn("analytics: snapshot failed: {}", ss.message());
      last_snapshot = now;
      snapshot_version = store_.version();
    }
    if (applied == 0 || !st.ok()) {
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(opt_.idle_poll_ms),
                     [this] { return stop_.load(); });
    }
  }
}

Status AnalyticsService::Stop() {
  stop_.store(true);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  return Snapshot();
}

void AnalyticsService::Read(const std::function<void(const KpiStore&)>& fn) const {
  std::shared_lock lock(mu_);
  fn(store_);
}

}  // namespace mailpulse
