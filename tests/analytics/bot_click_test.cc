// Bot-click heuristics (docs/analytics.md, "Bot clicks"): exact counts on a
// hand-made sequence, per rule and with the feature off.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analytics/kpi_json.h"
#include "analytics/kpi_store.h"
#include "kpi_test_util.h"

namespace mailpulse {
namespace {

using testing::kMin;
using testing::kT0;
using testing::Record;

constexpr int64_t kSec = 1000;

std::string Click(const std::string& m, int64_t t, const std::string& url) {
  return Record("click", m, t,
                R"(,"singlesend_id":"ss1","url":"https://example.com/)" + url + "\"");
}

// Clicks (10 in all, 5 messages clicking):
//  m1: delivered T; click a at T+5 s (5 s after delivery), click b at T+60 s.
//  m2: delivered T; clicks a, b at T+100 s, c, d at T+101 s (4 new links, 1 s apart).
//  m3: delivered T; click a at T+10 s (exactly the window).
//  m4: no delivered event; click a at T.
//  m5: delivered T; click a at T+3 s, again a at T+4 s.
std::vector<std::string> Sequence() {
  std::vector<std::string> out;
  for (const char* m : {"m1", "m2", "m3", "m5"}) out.push_back(Record("delivered", m, kT0));
  out.push_back(Click("m1", kT0 + 5 * kSec, "a"));
  out.push_back(Click("m1", kT0 + 60 * kSec, "b"));
  out.push_back(Click("m2", kT0 + 100 * kSec, "a"));
  out.push_back(Click("m2", kT0 + 100 * kSec, "b"));
  out.push_back(Click("m2", kT0 + 101 * kSec, "c"));
  out.push_back(Click("m2", kT0 + 101 * kSec, "d"));
  out.push_back(Click("m3", kT0 + 10 * kSec, "a"));
  out.push_back(Click("m4", kT0, "a"));
  out.push_back(Click("m5", kT0 + 3 * kSec, "a"));
  out.push_back(Click("m5", kT0 + 4 * kSec, "a"));
  return out;
}

KpiCounters TotalsWith(const BotClickOptions& bot) {
  KpiStoreOptions o;
  o.bot = bot;
  KpiStore store(o);
  KpiEventDecoder d;
  for (const std::string& r : Sequence()) testing::ApplyRecord(store, d, r);
  return store.Find("ss1")->total;
}

TEST(BotClickTest, DefaultRulesBothApply) {
  KpiCounters k = TotalsWith(BotClickOptions{});  // on, 10 s, 3 links
  EXPECT_EQ(k[Kpi::kClicks], 10);
  EXPECT_EQ(k[Kpi::kUniqueClicks], 5) << "SendGrid's figure is unchanged";
  // m1's first click (5 s), m2's c and d (3rd and 4th new link of a burst),
  // m5's two clicks (3 s and 4 s).
  EXPECT_EQ(k[Kpi::kBotClicks], 5);
  // m1 (b), m2 (a, b), m3 (10 s is not < 10 s), m4 (no delivered event); not m5.
  EXPECT_EQ(k[Kpi::kHumanUniqueClicks], 4);
  KpiRates r = ComputeRates(k);
  EXPECT_DOUBLE_EQ(r.human_click_rate, 4.0 / 4.0);
  EXPECT_DOUBLE_EQ(r.click_rate, 5.0 / 4.0);
}

TEST(BotClickTest, OnlyTheBurstRuleWithTwoLinks) {
  BotClickOptions o;
  o.delivered_window_s = 0;
  o.burst_links = 2;
  KpiCounters k = TotalsWith(o);
  // m2: b, c, d (a burst of 2, 3, 4 new links); m5's second click is not a
  // new link; m1's clicks are 55 s apart.
  EXPECT_EQ(k[Kpi::kBotClicks], 3);
  EXPECT_EQ(k[Kpi::kHumanUniqueClicks], 5);
}

TEST(BotClickTest, OnlyTheDeliveryWindowRuleWithAWiderWindow) {
  BotClickOptions o;
  o.delivered_window_s = 61;
  o.burst_links = 0;
  KpiCounters k = TotalsWith(o);
  // m1 both (5 s, 60 s), m3 (10 s), m5 both; not m2 (100 s) nor m4.
  EXPECT_EQ(k[Kpi::kBotClicks], 5);
  EXPECT_EQ(k[Kpi::kHumanUniqueClicks], 2);
}

TEST(BotClickTest, OffCountsNothing) {
  BotClickOptions o;
  o.enabled = false;
  KpiCounters k = TotalsWith(o);
  EXPECT_EQ(k[Kpi::kClicks], 10);
  EXPECT_EQ(k[Kpi::kBotClicks], 0);
  EXPECT_EQ(k[Kpi::kHumanUniqueClicks], 0);
}

TEST(BotClickTest, ClickBeforeItsDeliveredEventIsABotClick) {
  KpiStore store;
  KpiEventDecoder d;
  testing::ApplyRecord(store, d, Record("delivered", "m1", kT0 + 30 * kSec));
  testing::ApplyRecord(store, d, Click("m1", kT0, "a"));  // the scanner ran before delivered
  EXPECT_EQ(store.Find("ss1")->total[Kpi::kBotClicks], 1);
  EXPECT_EQ(store.Find("ss1")->total[Kpi::kHumanUniqueClicks], 0);
}

TEST(BotClickTest, InTheSeriesAndTheJson) {
  KpiStore store;
  KpiEventDecoder d;
  for (const std::string& r : Sequence()) testing::ApplyRecord(store, d, r);
  const CampaignState& c = *store.Find("ss1");
  auto series = KpiStore::Series(c, Granularity::kMinute, 0, 0);
  ASSERT_EQ(series.size(), 2u);                     // minute 0 and minute 1 (T+60 s .. T+101 s)
  EXPECT_EQ(series[0].second[Kpi::kBotClicks], 3);  // m1 a, m5 a, a
  EXPECT_EQ(series[1].second[Kpi::kBotClicks], 2);  // m2 c, d
  EXPECT_EQ(series[0].second[Kpi::kHumanUniqueClicks], 2);  // m3, m4
  EXPECT_EQ(series[1].second[Kpi::kHumanUniqueClicks], 2);  // m1 (b), m2
  std::string json = CampaignDetailJson(c, Granularity::kMinute, KpiRange{});
  EXPECT_NE(json.find(R"("bot_clicks":5,"human_unique_clicks":4)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("human_click_rate":1,)"), std::string::npos) << json;
}

}  // namespace
}  // namespace mailpulse
