// KpiStore: every campaign's counters, per time bucket (minute, hour, day, by
// event time), its top links, and the per-message state that makes unique
// counts exact. Applying an event is idempotent for once-per-message events
// (processed, delivered, bounce, blocked, dropped are counted once per
// message id) and indifferent to arrival order: a unique open/click is
// attributed to the bucket of the message's EARLIEST such event, so an
// earlier open arriving after a later one moves the unique to its bucket.
// Other events (opens, clicks, deferred, unsubscribes, ...) are counted as
// they come: the stream holds no duplicates within ingest's dedupe window.
//
// Minute buckets older than `minute_retention_ms` before the newest event
// time are dropped (hours and days are kept); sums over such ranges use hours.
//
// Snapshot: Serialize/Deserialize write the whole state (plus opaque stream
// positions chosen by the caller) as one checksummed blob; format in
// docs/analytics.md. With a spill store attached, the per-message state that
// is on disk is not in the blob: the blob names the spill checkpoint taken
// with it (CheckpointSpill, just before Serialize), and AttachSpill after
// Deserialize restores exactly that checkpoint.
//
// Not thread-safe: AnalyticsService guards it with a shared mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analytics/kpi_counters.h"
#include "analytics/kpi_event.h"
#include "analytics/message_table.h"
#include "analytics/spill_store.h"
#include "common/status.h"
#include "common/types.h"

namespace mailpulse {

enum class Granularity : uint8_t { kMinute, kHour, kDay };
int64_t GranularityMillis(Granularity g);
// "minute" | "hour" | "day".
Result<Granularity> ParseGranularity(std::string_view s);
std::string_view GranularityName(Granularity g);

struct LinkStat {
  std::string url;
  int64_t clicks = 0;
  int64_t unique_clicks = 0;  // messages that clicked this URL
};

struct CampaignState {
  std::string id;
  std::string name;  // empty until an event carries one
  KpiCounters total;
  std::map<std::string, int64_t> dropped_by_reason;  // all time
  // Bucket start (ms since the epoch, UTC) -> counters.
  std::map<int64_t, KpiCounters> buckets[3];  // indexed by Granularity
  std::vector<LinkStat> links;
  std::unordered_map<std::string, uint32_t> link_index;
  // "<message id>\x1f<url index>" for URLs beyond the 32 tracked in MessageState::url_bits.
  std::unordered_set<std::string> overflow_clicks;
  uint64_t version = 0;  // the store version of its last change
};

// Bot-click heuristics (docs/analytics.md, "Bot clicks"): link scanners of
// mail gateways click soon after delivery, or many links at once. A click is
// judged when it is applied, with what its message did before.
struct BotClickOptions {
  bool enabled = true;
  // A click less than this many seconds after its message's delivered event
  // (or before it) is a bot click; 0 = rule off.
  uint32_t delivered_window_s = 10;
  // A click is a bot click when it makes this many new links of its message
  // clicked in one burst (clicks each at most 1 s after the previous one);
  // 0 = rule off.
  uint32_t burst_links = 3;
};

struct KpiStoreOptions {
  size_t message_memory_bytes = 0;                   // MessageTable budget; 0 = unlimited
  int64_t minute_retention_ms = 48LL * 3600 * 1000;  // 0 = keep minute buckets forever
  BotClickOptions bot;
};

class KpiStore {
 public:
  explicit KpiStore(KpiStoreOptions options = {});

  void Apply(const KpiEvent& e);

  // Changes with every counted event; CampaignState::version says which.
  uint64_t version() const { return version_; }
  const std::map<std::string, std::unique_ptr<CampaignState>, std::less<>>& campaigns() const {
    return campaigns_;
  }
  const CampaignState* Find(std::string_view id) const;
  const MessageTable& messages() const { return messages_; }
  // The first spill-store error (the counts are not exact after one).
  const Status& status() const { return messages_.spill_status(); }

  // Per-message state beyond the memory budget goes to a SpillStore in
  // `root` instead of being forgotten. Call after Deserialize (or on a fresh
  // store): it restores the checkpoint the loaded snapshot names. `live_dir`:
  // see SpillStore::Open.
  Status AttachSpill(const std::string& root, const std::string& live_dir = "");
  bool spilling() const { return spill_ != nullptr; }
  uint64_t spill_disk_bytes() const { return spill_ ? spill_->disk_bytes() : 0; }
  // Takes a new spill checkpoint, named by the next Serialize; no-op without
  // a spill store.
  Status CheckpointSpill();
  // After the snapshot naming the current checkpoint is durable.
  Status DropOldSpillCheckpoints();
  int64_t events_applied() const { return events_applied_; }

  // Counters of events with since <= event time < until (0 = unbounded), from
  // the coarsest bucket size that both bounds are multiples of.
  static KpiCounters Sum(const CampaignState& c, UnixMillis since, UnixMillis until);
  // Buckets of granularity g inside [since, until) (0 = unbounded), oldest first.
  static std::vector<std::pair<int64_t, KpiCounters>> Series(const CampaignState& c, Granularity g,
                                                             UnixMillis since, UnixMillis until);

  // `positions` is stored verbatim (the consumer's per-shard sequence numbers).
  std::string Serialize(const StreamPositions& positions) const;
  // Replaces the whole state; Corruption when the blob is damaged.
  Status Deserialize(std::string_view blob, StreamPositions* positions);

 private:
  CampaignState& CampaignFor(const KpiEvent& e);
  void Add(CampaignState& c, Kpi k, uint32_t minute, int64_t delta, bool total = true);
  void CountUnique(CampaignState& c, Kpi k, uint32_t* first_min, uint32_t minute);
  bool Once(MessageState* st, uint8_t flag);
  // Returns true when the message had not clicked this URL before.
  bool CountLink(CampaignState& c, std::string_view message_id, MessageState* st,
                 std::string_view url);
  bool IsBotClick(MessageState* st, uint32_t second, bool new_link) const;

  KpiStoreOptions opt_;
  std::unique_ptr<SpillStore> spill_;
  uint64_t spill_generation_ = 0;  // checkpoint named by the snapshot (0: none)
  std::map<std::string, std::unique_ptr<CampaignState>, std::less<>> campaigns_;
  MessageTable messages_;
  uint64_t version_ = 0;
  int64_t events_applied_ = 0;
  uint32_t newest_min_ = 0;  // newest event minute seen (+1)
};

}  // namespace mailpulse
