// Hand-made enriched records (docs/formats/event-record.md) for analytics tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "analytics/kpi_event.h"
#include "analytics/kpi_store.h"

namespace mailpulse::testing {

// 2026-01-01T00:00:00Z
inline constexpr int64_t kT0 = 1767225600000;
inline constexpr int64_t kMin = 60'000;

// An enriched record: `extra` is appended inside the object (",\"k\":v...").
inline std::string Record(
    const std::string& event, const std::string& msg, int64_t event_ms,
    const std::string& extra = R"(,"singlesend_id":"ss1","singlesend_name":"Spring")") {
  std::string msg_json = msg.empty() ? "null" : "\"" + msg + "\"";
  std::string out = R"({"_mailpulse":{"received_ms":1,"webhook":"default","message_id":)" +
                    msg_json + R"(,"event_ms":)" + std::to_string(event_ms) + R"(},"event":")" +
                    event + "\"";
  if (!msg.empty()) out += R"(,"sg_message_id":")" + msg + R"(.filter0001.1")";
  return out + extra + "}";
}

// Decodes and applies; fails the test when the record does not decode.
inline void ApplyRecord(KpiStore& store, KpiEventDecoder& decoder, const std::string& record) {
  KpiEvent e;
  Status st = decoder.Decode(record, &e);
  ASSERT_TRUE(st.ok()) << st.ToString() << " in " << record;
  store.Apply(e);
}

// `messages` messages in 3 campaigns over 5 hours, shuffled: every event
// kind, machine opens, several links, duplicated once-per-message events.
// Records carry `timestamp` and a unique `sg_event_id` too, so delivery
// accepts them for the lake.
inline std::vector<std::string> MixedTraffic(int messages, uint32_t seed) {
  std::vector<std::string> out;
  std::mt19937 rng(seed);
  auto rec = [&out](const std::string& event, const std::string& m, int64_t t,
                    const std::string& extra) {
    out.push_back(Record(event, m, t,
                         extra + R"(,"email":"u@example.com","timestamp":)" +
                             std::to_string(t / 1000) + R"(,"sg_event_id":"e)" +
                             std::to_string(out.size()) + "\""));
  };
  for (int i = 0; i < messages; ++i) {
    std::string m = "msg" + std::to_string(i);
    std::string campaign = R"(,"singlesend_id":"ss)" + std::to_string(i % 3) + "\"";
    int64_t t = kT0 + static_cast<int64_t>(rng() % (300 * kMin));
    rec("processed", m, t, campaign);
    if (i % 10 == 0) {
      rec("dropped", m, t + 1000, campaign + R"(,"reason":"Bounced Address")");
      continue;
    }
    rec("delivered", m, t + 2000, campaign);
    rec("delivered", m, t + 2000, campaign);  // a duplicate
    if (i % 7 == 0) rec("bounce", m, t + 3000, campaign);
    for (int o = 0; o < i % 4; ++o) {
      std::string machine = o == 0 && i % 8 == 0 ? R"(,"sg_machine_open":true)" : "";
      rec("open", m, t + (o + 1) * 37 * kMin + (i % 50) * kMin, campaign + machine);
    }
    if (i % 3 == 0) {
      for (int c = 0; c < 1 + i % 5; ++c) {
        std::string url = R"(,"url":"https://example.com/)" + std::to_string((i + c) % 6) + "\"";
        rec("click", m, t + (c + 2) * 41 * kMin, campaign + url);
      }
    }
    if (i % 29 == 0) rec("unsubscribe", m, t + 200 * kMin, campaign);
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

// Every campaign of `a` and `b` has the same totals, non-empty buckets, links
// (as url -> clicks, unique clicks: their order follows arrival) and dropped
// reasons. Used to compare runs that must agree exactly (shuffled, spilled,
// restarted, rebuilt from the lake).
inline void ExpectSameKpis(const KpiStore& a, const KpiStore& b) {
  ASSERT_EQ(a.campaigns().size(), b.campaigns().size());
  auto nonempty = [](const std::map<int64_t, KpiCounters>& m) {
    std::map<int64_t, KpiCounters> out;
    for (const auto& [k, v] : m) {
      if (!v.empty()) out.emplace(k, v);
    }
    return out;
  };
  auto links = [](const CampaignState& c) {
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    for (const LinkStat& l : c.links) out[l.url] = {l.clicks, l.unique_clicks};
    return out;
  };
  for (const auto& [id, ca] : a.campaigns()) {
    const CampaignState* cb = b.Find(id);
    ASSERT_NE(cb, nullptr) << id;
    EXPECT_EQ(ca->total, cb->total) << id;
    for (int g = 0; g < 3; ++g) {
      EXPECT_EQ(nonempty(ca->buckets[g]), nonempty(cb->buckets[g])) << id << " granularity " << g;
    }
    EXPECT_EQ(links(*ca), links(*cb)) << id;
    EXPECT_EQ(ca->dropped_by_reason, cb->dropped_by_reason) << id;
  }
}

}  // namespace mailpulse::testing
