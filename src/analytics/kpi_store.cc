#include "analytics/kpi_store.h"

#include <algorithm>

#include "common/coding.h"
#include "common/crc32c.h"

namespace mailpulse {

namespace {
constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kBucketMs[3] = {kMinuteMs, 3'600'000, 86'400'000};
// 002: spill generation and index after the messages, 10-field message states.
constexpr char kMagic[8] = {'M', 'P', 'K', 'P', 'I', '0', '0', '3'};
constexpr char kMagicV2[8] = {'M', 'P', 'K', 'P', 'I', '0', '0', '2'};
constexpr char kMagicV1[8] = {'M', 'P', 'K', 'P', 'I', '0', '0', '1'};
}  // namespace

int64_t GranularityMillis(Granularity g) { return kBucketMs[static_cast<int>(g)]; }

Result<Granularity> ParseGranularity(std::string_view s) {
  if (s == "minute") return Granularity::kMinute;
  if (s == "hour") return Granularity::kHour;
  if (s == "day") return Granularity::kDay;
  return Status::Invalid("granularity must be minute, hour or day");
}

std::string_view GranularityName(Granularity g) {
  return g == Granularity::kMinute ? "minute" : g == Granularity::kHour ? "hour" : "day";
}

KpiStore::KpiStore(KpiStoreOptions options)
    : opt_(options), messages_(options.message_memory_bytes) {}

Status KpiStore::AttachSpill(const std::string& root, const std::string& live_dir) {
  MP_ASSIGN_OR_RETURN(spill_, SpillStore::Open(root, spill_generation_, live_dir));
  messages_.AttachSpill(spill_.get());
  return Status::Ok();
}

Status KpiStore::CheckpointSpill() {
  if (spill_ == nullptr) return Status::Ok();
  MP_RETURN_IF_ERROR(status());
  MP_RETURN_IF_ERROR(spill_->Checkpoint(spill_generation_ + 1));
  ++spill_generation_;
  return Status::Ok();
}

Status KpiStore::DropOldSpillCheckpoints() {
  return spill_ == nullptr ? Status::Ok() : spill_->DropCheckpointsExcept(spill_generation_);
}

const CampaignState* KpiStore::Find(std::string_view id) const {
  auto it = campaigns_.find(id);
  return it == campaigns_.end() ? nullptr : it->second.get();
}

CampaignState& KpiStore::CampaignFor(const KpiEvent& e) {
  auto it = campaigns_.find(e.campaign_id);
  if (it == campaigns_.end()) {
    auto c = std::make_unique<CampaignState>();
    c->id = std::string(e.campaign_id);
    it = campaigns_.emplace(c->id, std::move(c)).first;
  }
  CampaignState& c = *it->second;
  if (c.name.empty() && !e.campaign_name.empty()) c.name = std::string(e.campaign_name);
  return c;
}

void KpiStore::Add(CampaignState& c, Kpi k, uint32_t minute, int64_t delta, bool total) {
  if (total) c.total[k] += delta;
  int64_t ms = static_cast<int64_t>(minute) * kMinuteMs;
  bool minute_kept =
      opt_.minute_retention_ms == 0 ||
      static_cast<int64_t>(minute) + opt_.minute_retention_ms / kMinuteMs >= newest_min_;
  for (int g = minute_kept ? 0 : 1; g < 3; ++g) {
    int64_t start = ms - ms % kBucketMs[g];
    c.buckets[g][start][k] += delta;
  }
  c.version = version_;
}

// The unique lives in the bucket of the earliest such event of the message.
void KpiStore::CountUnique(CampaignState& c, Kpi k, uint32_t* first_min, uint32_t minute) {
  if (first_min == nullptr) {  // no message id: every event is its own message
    Add(c, k, minute, 1);
    return;
  }
  if (*first_min == 0) {
    *first_min = minute + 1;
    Add(c, k, minute, 1);
  } else if (minute + 1 < *first_min) {
    Add(c, k, *first_min - 1, -1, /*total=*/false);
    Add(c, k, minute, 1, /*total=*/false);
    *first_min = minute + 1;
  }
}

bool KpiStore::Once(MessageState* st, uint8_t flag) {
  if (st == nullptr) return true;
  if (st->flags & flag) return false;
  st->flags |= flag;
  return true;
}

bool KpiStore::CountLink(CampaignState& c, std::string_view message_id, MessageState* st,
                         std::string_view url) {
  auto it = c.link_index.find(std::string(url));
  uint32_t idx;
  if (it == c.link_index.end()) {
    idx = static_cast<uint32_t>(c.links.size());
    c.links.push_back(LinkStat{std::string(url), 0, 0});
    c.link_index.emplace(std::string(url), idx);
  } else {
    idx = it->second;
  }
  LinkStat& l = c.links[idx];
  ++l.clicks;
  bool first = true;
  if (st != nullptr) {
    if (idx < 32) {
      first = (st->url_bits & (1u << idx)) == 0;
      st->url_bits |= 1u << idx;
    } else {
      std::string key(message_id);
      key += '\x1f';
      key += std::to_string(idx);
      first = c.overflow_clicks.insert(std::move(key)).second;
    }
  }
  if (first) ++l.unique_clicks;
  return first;
}

// `second` is the click's event second. Updates the message's burst state.
bool KpiStore::IsBotClick(MessageState* st, uint32_t second, bool new_link) const {
  if (st == nullptr) return false;  // no message id: nothing to judge by
  const BotClickOptions& o = opt_.bot;
  uint32_t s1 = second + 1;  // the state's "+1" convention
  bool bot = o.delivered_window_s != 0 && st->delivered_s != 0 &&
             (s1 < st->delivered_s || s1 - st->delivered_s < o.delivered_window_s);
  if (o.burst_links != 0) {
    uint32_t gap = st->last_click_s == 0    ? UINT32_MAX
                   : s1 >= st->last_click_s ? s1 - st->last_click_s
                                            : st->last_click_s - s1;
    if (gap > 1) st->burst_links = 0;
    if (new_link && st->burst_links < UINT8_MAX) ++st->burst_links;
    st->last_click_s = s1;
    if (st->burst_links >= o.burst_links) bot = true;
  }
  return bot;
}

void KpiStore::Apply(const KpiEvent& e) {
  if (e.kind == KpiEventKind::kOther || e.event_ms < 0) return;
  ++events_applied_;
  ++version_;
  uint32_t minute = static_cast<uint32_t>(e.event_ms / kMinuteMs);
  uint32_t second = static_cast<uint32_t>(e.event_ms / 1000);
  if (minute + 1 > newest_min_) {
    uint32_t before = newest_min_;
    newest_min_ = minute + 1;
    if (opt_.minute_retention_ms > 0 && newest_min_ / 60 != before / 60) {
      int64_t horizon =
          (static_cast<int64_t>(newest_min_) - opt_.minute_retention_ms / kMinuteMs) * kMinuteMs;
      for (auto& [id, c] : campaigns_) {
        auto& m = c->buckets[0];
        m.erase(m.begin(), m.lower_bound(horizon));
      }
    }
  }
  CampaignState& c = CampaignFor(e);
  MessageState* st = nullptr;
  if (!e.message_id.empty()) {
    bool inserted = false;
    st = messages_.FindOrInsert(e.message_id, &inserted);
    st->last_seen_min = std::max(st->last_seen_min, minute + 1);
  }
  switch (e.kind) {
    case KpiEventKind::kProcessed:
      if (Once(st, kSeenProcessed)) Add(c, Kpi::kProcessed, minute, 1);
      break;
    case KpiEventKind::kDelivered:
      if (Once(st, kSeenDelivered)) Add(c, Kpi::kDelivered, minute, 1);
      if (st != nullptr) {
        uint32_t s1 = second + 1;
        st->delivered_s = st->delivered_s == 0 ? s1 : std::min(st->delivered_s, s1);
      }
      break;
    case KpiEventKind::kBounce:
      if (Once(st, kSeenBounce)) Add(c, Kpi::kBounces, minute, 1);
      break;
    case KpiEventKind::kBlocked:
      if (Once(st, kSeenBlocked)) Add(c, Kpi::kBlocks, minute, 1);
      break;
    case KpiEventKind::kDropped:
      if (Once(st, kSeenDropped)) {
        Add(c, Kpi::kDropped, minute, 1);
        ++c.dropped_by_reason[e.reason.empty() ? std::string("unknown") : std::string(e.reason)];
      }
      break;
    case KpiEventKind::kDeferred:
      Add(c, Kpi::kDeferred, minute, 1);
      break;
    case KpiEventKind::kOpen:
      Add(c, Kpi::kOpens, minute, 1);
      if (e.machine_open) Add(c, Kpi::kMachineOpens, minute, 1);
      CountUnique(c, Kpi::kUniqueOpens, st ? &st->first_open_min : nullptr, minute);
      if (!e.machine_open)
        CountUnique(c, Kpi::kHumanUniqueOpens, st ? &st->first_human_min : nullptr, minute);
      break;
    case KpiEventKind::kClick:
      Add(c, Kpi::kClicks, minute, 1);
      CountUnique(c, Kpi::kUniqueClicks, st ? &st->first_click_min : nullptr, minute);
      {
        bool new_link = CountLink(c, e.message_id, st, e.url);
        if (!opt_.bot.enabled) break;
        if (IsBotClick(st, second, new_link)) {
          Add(c, Kpi::kBotClicks, minute, 1);
        } else {
          CountUnique(c, Kpi::kHumanUniqueClicks, st ? &st->first_human_click_min : nullptr,
                      minute);
        }
      }
      break;
    case KpiEventKind::kUnsubscribe:
      Add(c, Kpi::kUnsubscribes, minute, 1);
      break;
    case KpiEventKind::kGroupUnsubscribe:
      Add(c, Kpi::kGroupUnsubscribes, minute, 1);
      break;
    case KpiEventKind::kGroupResubscribe:
      Add(c, Kpi::kGroupResubscribes, minute, 1);
      break;
    case KpiEventKind::kSpamReport:
      Add(c, Kpi::kSpamReports, minute, 1);
      break;
    case KpiEventKind::kOther:
      break;
  }
  c.version = version_;
}

KpiCounters KpiStore::Sum(const CampaignState& c, UnixMillis since, UnixMillis until) {
  if (since <= 0 && until <= 0) return c.total;
  int g = 2;
  while (g > 0 &&
         ((since > 0 && since % kBucketMs[g] != 0) || (until > 0 && until % kBucketMs[g] != 0)))
    --g;
  KpiCounters sum;
  const auto& b = c.buckets[g];
  auto it = since > 0 ? b.lower_bound(since) : b.begin();
  auto end = until > 0 ? b.lower_bound(until) : b.end();
  for (; it != end; ++it) sum += it->second;
  return sum;
}

std::vector<std::pair<int64_t, KpiCounters>> KpiStore::Series(const CampaignState& c, Granularity g,
                                                              UnixMillis since, UnixMillis until) {
  const auto& b = c.buckets[static_cast<int>(g)];
  int64_t size = GranularityMillis(g);
  // A bucket is inside when its start is; `since` inside a bucket includes it.
  auto it = since > 0 ? b.lower_bound(since - ((since % size) + size) % size) : b.begin();
  auto end = until > 0 ? b.lower_bound(until) : b.end();
  std::vector<std::pair<int64_t, KpiCounters>> out;
  for (; it != end; ++it) out.emplace_back(it->first, it->second);
  return out;
}

// ---- snapshot -------------------------------------------------------------

namespace {

void PutSigned(std::string& out, int64_t v) {
  PutVarint64(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void PutStr(std::string& out, std::string_view s) {
  PutVarint64(out, s.size());
  out.append(s);
}
void PutCounters(std::string& out, const KpiCounters& c) {
  for (int64_t v : c.v) PutSigned(out, v);
}

struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t U() {
    uint64_t v = 0;
    if (ok && !GetVarint64(in, v)) ok = false;
    return v;
  }
  int64_t S() {
    uint64_t u = U();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string Str() {
    uint64_t n = U();
    if (!ok || n > in.size()) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  size_t counters = kKpiCount;  // per bucket in this snapshot (older ones have fewer)
  KpiCounters Counters() {
    KpiCounters c;
    for (size_t i = 0; i < counters; ++i) c.v[i] = S();
    return c;
  }
};

}  // namespace

std::string KpiStore::Serialize(const StreamPositions& positions) const {
  std::string out(kMagic, sizeof kMagic);
  PutVarint64(out, positions.size());
  for (const auto& [shard, seq] : positions) {
    PutVarint64(out, shard.value());
    PutStr(out, seq.ToString());
  }
  PutVarint64(out, version_);
  PutVarint64(out, static_cast<uint64_t>(events_applied_));
  PutVarint64(out, newest_min_);
  PutVarint64(out, kKpiCount);
  PutVarint64(out, campaigns_.size());
  for (const auto& [id, c] : campaigns_) {
    PutStr(out, c->id);
    PutStr(out, c->name);
    PutVarint64(out, c->version);
    PutCounters(out, c->total);
    PutVarint64(out, c->dropped_by_reason.size());
    for (const auto& [r, n] : c->dropped_by_reason) {
      PutStr(out, r);
      PutSigned(out, n);
    }
    for (const auto& b : c->buckets) {
      PutVarint64(out, b.size());
      for (const auto& [start, counters] : b) {
        PutSigned(out, start);
        PutCounters(out, counters);
      }
    }
    PutVarint64(out, c->links.size());
    for (const LinkStat& l : c->links) {
      PutStr(out, l.url);
      PutSigned(out, l.clicks);
      PutSigned(out, l.unique_clicks);
    }
    PutVarint64(out, c->overflow_clicks.size());
    for (const std::string& k : c->overflow_clicks) PutStr(out, k);
  }
  PutVarint64(out, messages_.size());
  PutVarint64(out, messages_.evicted_through_min());
  messages_.ForEach([&out](std::string_view id, const MessageState& st) {
    PutStr(out, id);
    EncodeMessageState(out, st);
  });
  PutVarint64(out, spill_generation_);
  messages_.EncodeSpillIndex(out);
  char crc[4];
  EncodeFixed32(crc, crc32c::Value(out));
  out.append(crc, 4);
  return out;
}

Status KpiStore::Deserialize(std::string_view blob, StreamPositions* positions) {
  if (spill_ != nullptr) return Status::Invalid("analytics snapshot: load before AttachSpill");
  auto has_magic = [blob](const char(&m)[8]) {
    return blob.size() >= 8 && blob.compare(0, 8, std::string_view(m, 8)) == 0;
  };
  bool v1 = has_magic(kMagicV1);
  bool indexed_positions = v1 || has_magic(kMagicV2);  // v1, v2: one varint per shard 0..n-1
  if (blob.size() < sizeof kMagic + 4 || (!indexed_positions && !has_magic(kMagic))) {
    return Status::Corruption("analytics snapshot: bad magic");
  }
  uint32_t want = DecodeFixed32(blob.data() + blob.size() - 4);
  blob.remove_suffix(4);
  if (crc32c::Value(blob) != want)
    return Status::Corruption("analytics snapshot: checksum mismatch");
  Reader r{blob.substr(sizeof kMagic)};
  positions->clear();
  uint64_t npos = r.U();
  for (uint64_t i = 0; r.ok && i < npos; ++i) {
    if (indexed_positions) {
      uint64_t seq = r.U();
      if (seq != 0) (*positions)[ShardId(static_cast<uint32_t>(i))] = SequenceNumber(seq);
      continue;
    }
    uint64_t shard = r.U();
    std::string text = r.Str();
    std::optional<SequenceNumber> seq = text == SequenceNumber::ShardEnd().ToString()
                                            ? SequenceNumber::ShardEnd()
                                            : SequenceNumber::FromDecimal(text);
    if (!seq || shard > UINT32_MAX) return Status::Corruption("analytics snapshot: bad position");
    (*positions)[ShardId(static_cast<uint32_t>(shard))] = *seq;
  }
  KpiStoreOptions unlimited = opt_;
  unlimited.message_memory_bytes = 0;  // nothing may be forgotten while loading
  KpiStore fresh(unlimited);
  fresh.version_ = r.U();
  fresh.events_applied_ = static_cast<int64_t>(r.U());
  fresh.newest_min_ = static_cast<uint32_t>(r.U());
  r.counters = r.U();
  if (r.counters > kKpiCount) return Status::Corruption("analytics snapshot: unknown counters");
  uint64_t ncamp = r.U();
  for (uint64_t i = 0; r.ok && i < ncamp; ++i) {
    auto c = std::make_unique<CampaignState>();
    c->id = r.Str();
    c->name = r.Str();
    c->version = r.U();
    c->total = r.Counters();
    uint64_t nr = r.U();
    for (uint64_t j = 0; r.ok && j < nr; ++j) {
      std::string reason = r.Str();
      c->dropped_by_reason[reason] = r.S();
    }
    for (auto& b : c->buckets) {
      uint64_t nb = r.U();
      for (uint64_t j = 0; r.ok && j < nb; ++j) {
        int64_t start = r.S();
        b.emplace_hint(b.end(), start, r.Counters());
      }
    }
    uint64_t nl = r.U();
    for (uint64_t j = 0; r.ok && j < nl; ++j) {
      LinkStat l;
      l.url = r.Str();
      l.clicks = r.S();
      l.unique_clicks = r.S();
      c->link_index.emplace(l.url, static_cast<uint32_t>(c->links.size()));
      c->links.push_back(std::move(l));
    }
    uint64_t no = r.U();
    for (uint64_t j = 0; r.ok && j < no; ++j) c->overflow_clicks.insert(r.Str());
    std::string id = c->id;
    fresh.campaigns_.emplace(std::move(id), std::move(c));
  }
  uint64_t nmsg = r.U();
  r.U();  // evicted_through_min: informational
  for (uint64_t i = 0; r.ok && i < nmsg; ++i) {
    std::string id = r.Str();
    if (!r.ok || id.empty()) break;
    bool inserted = false;
    MessageState* st = fresh.messages_.FindOrInsert(id, &inserted);
    if (!DecodeMessageState(r.in, st, v1 ? 6 : 10)) r.ok = false;
  }
  if (r.ok && !v1) {
    fresh.spill_generation_ = r.U();
    Status st = fresh.messages_.DecodeSpillIndex(r.in);
    if (!st.ok()) r.ok = false;
  }
  if (!r.ok || !r.in.empty())
    return Status::Corruption("analytics snapshot: truncated or trailing bytes");
  campaigns_ = std::move(fresh.campaigns_);
  messages_ = std::move(fresh.messages_);
  messages_.set_budget(opt_.message_memory_bytes);
  spill_generation_ = fresh.spill_generation_;
  version_ = fresh.version_;
  events_applied_ = fresh.events_applied_;
  newest_min_ = fresh.newest_min_;
  return Status::Ok();
}

}  // namespace mailpulse
