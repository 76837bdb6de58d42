// AnalyticsService: the stream consumer that keeps the KPIs live.
//
// One thread reads every shard of the event stream in turn (checkpoint name
// "analytics"), decodes each record (KpiEventDecoder) and applies it to the
// KpiStore. Exact across restarts: the whole store is snapshotted to one file
// (written atomically: tmp, fsync, rename, fsync dir) TOGETHER with the last
// applied sequence number of every shard; on start the snapshot is loaded and
// each shard resumes right after its recorded sequence number, so every
// record is applied exactly once. The stream checkpoint is saved after the
// snapshot (it only lets retention delete what the snapshot already covers).
// With no snapshot the consumer starts at the trim horizon (`rebuild`).
// Per-message state spilled to disk is checkpointed just before each snapshot
// and the snapshot names the checkpoint, so the two are always consistent.
// After a spill-store error the service stops applying and snapshotting
// (PollOnce returns it): the last good snapshot stays the restart point.
//
// Thread-safety: Start/Stop/CatchUp from one controlling thread. Readers use
// Read(), which holds a shared lock; the consumer applies events under the
// exclusive lock in small slices (kApplySlice records) so API calls wait at
// most a fraction of a millisecond.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "analytics/kpi_event.h"
#include "analytics/kpi_store.h"
#include "analytics/lake_replay.h"
#include "common/clock.h"
#include "common/file_system.h"
#include "common/metrics.h"
#include "stream/stream.h"

namespace mailpulse {

inline constexpr std::string_view kAnalyticsConsumer = "analytics";

struct AnalyticsOptions {
  std::string snapshot_path;  // empty: no persistence (state rebuilt from the stream)
  // Where per-message state beyond store.message_memory_bytes goes (a
  // SpillStore, checkpointed with every snapshot); empty: it is forgotten.
  std::string spill_dir;
  // The spill store's working copy; empty: spill_dir/live. Read-only tools
  // (report) use a scratch directory so the server's files stay untouched.
  std::string spill_live_dir;
  std::vector<CampaignField> campaign_key = DefaultCampaignKey();
  KpiStoreOptions store;
  int64_t snapshot_interval_ms = 30'000;
  int64_t idle_poll_ms = 20;  // sleep when every shard is caught up
  // How often to look for new shards (a Kinesis reshard); a shard read to
  // its end triggers a look at once.
  int64_t shard_refresh_ms = 10'000;
  bool save_checkpoints = true;  // false for read-only tools (report)
  FileSystem* fs = FileSystem::Default();
  Clock* clock = &Clock::System();
  MetricsRegistry* metrics = nullptr;
};

class AnalyticsService {
 public:
  static constexpr size_t kApplySlice = 128;

  // Loads the snapshot (if any) and opens one reader per shard after it.
  // `stream` must outlive the service.
  static Result<std::unique_ptr<AnalyticsService>> Open(Stream* stream, AnalyticsOptions options);
  ~AnalyticsService();

  // Starts the consumer thread.
  void Start();
  // Stops the thread and writes a final snapshot.
  Status Stop();
  // Without the thread: reads every shard until caught up (tools, tests).
  Status CatchUp();
  // Writes the snapshot now and saves the stream checkpoints.
  Status Snapshot();
  // Rebuild from the lake: applies every event of `lake` (ReplayLake) to an
  // empty store, then moves each shard's reader to just after the lake's
  // last record of that shard, so a following CatchUp adds exactly what
  // delivery had not written yet. Only right after Open without a snapshot
  // (kInvalid otherwise), before Start.
  Result<LakeReplayStats> ApplyLake(ObjectStore& lake);

  // Runs fn with the store under a shared lock.
  void Read(const std::function<void(const KpiStore&)>& fn) const;
  // The store version, cheap (no lock): changes when counters change.
  uint64_t version() const { return published_version_.load(std::memory_order_acquire); }
  // Records skipped because they could not be decoded.
  uint64_t skipped() const { return skipped_.load(); }

 private:
  AnalyticsService(Stream* stream, AnalyticsOptions options);
  Status Load();
  // One reader per ready shard (stream/shard_lineage.h), after positions_
  // (none: from the trim horizon).
  Status OpenReaders();
  // Opens readers for shards that became ready (a parent read to its end, a
  // new shard after a reshard).
  Status RefreshShards();
  // Above every shard id the stream has or had.
  uint32_t ShardLimit();
  // One pass over the shards; *applied = records applied.
  Status PollOnce(size_t* applied);
  void Run();

  Stream* stream_;
  AnalyticsOptions opt_;
  KpiEventDecoder decoder_;
  KpiStore store_;
  mutable std::shared_mutex mu_;
  StreamPositions positions_;  // last applied seq per shard read so far
  std::map<ShardId, std::unique_ptr<StreamReader>> readers_;
  std::vector<StreamRecord> read_buffer_;  // PollOnce's records, reused across calls
  UnixMillis last_refresh_ms_ = 0;
  std::atomic<uint64_t> published_version_{0};
  std::atomic<uint64_t> skipped_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  Counter* events_counter_ = nullptr;
  Counter* skipped_counter_ = nullptr;
  Counter* snapshots_counter_ = nullptr;
};

}  // namespace mailpulse
