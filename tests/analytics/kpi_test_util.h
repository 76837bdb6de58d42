// Hand-made enriched records (docs/formats/event-record.md) for analytics tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

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
