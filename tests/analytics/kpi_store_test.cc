#include "analytics/kpi_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/coding.h"
#include "common/crc32c.h"
#include "kpi_test_util.h"

namespace mailpulse {
namespace {

using testing::ApplyRecord;
using testing::kMin;
using testing::kT0;
using testing::Record;

class KpiStoreTest : public ::testing::Test {
 protected:
  void Apply(const std::string& r) { ApplyRecord(store_, decoder_, r); }
  const CampaignState& C(const std::string& id = "ss1") {
    const CampaignState* c = store_.Find(id);
    EXPECT_NE(c, nullptr) << id;
    return *c;
  }
  KpiStore store_;
  KpiEventDecoder decoder_;
};

// One message through every event type, and the rates they give.
std::vector<std::string> FullSequence() {
  const std::string ss = R"(,"singlesend_id":"ss1","singlesend_name":"Spring")";
  return {
      Record("processed", "m1", kT0),
      Record("processed", "m2", kT0),
      Record("processed", "m3", kT0),
      Record("processed", "m4", kT0),
      Record("processed", "m5", kT0),
      Record("deferred", "m1", kT0 + 1000, ss + R"(,"attempt":"1")"),
      Record("delivered", "m1", kT0 + 2000),
      Record("delivered", "m2", kT0 + 2000),
      Record("bounce", "m3", kT0 + 2000, ss + R"(,"type":"bounce")"),
      Record("bounce", "m4", kT0 + 2000, ss + R"(,"type":"blocked")"),
      Record("dropped", "m5", kT0, ss + R"(,"reason":"Bounced Address")"),
      Record("open", "m1", kT0 + 3 * kMin, ss + R"(,"sg_machine_open":true)"),
      Record("open", "m1", kT0 + 4 * kMin, ss + R"(,"sg_machine_open":false)"),
      Record("open", "m1", kT0 + 5 * kMin, ss + R"(,"sg_machine_open":"false")"),
      Record("open", "m2", kT0 + 5 * kMin, ss + R"(,"sg_machine_open":1)"),
      Record("click", "m1", kT0 + 6 * kMin, ss + R"(,"url":"https://a")"),
      Record("click", "m1", kT0 + 7 * kMin, ss + R"(,"url":"https://a")"),
      Record("click", "m1", kT0 + 7 * kMin, ss + R"(,"url":"https://b")"),
      Record("unsubscribe", "m1", kT0 + 8 * kMin),
      Record("group_unsubscribe", "m2", kT0 + 8 * kMin, ss + R"(,"asm_group_id":1)"),
      Record("group_resubscribe", "m2", kT0 + 9 * kMin, ss + R"(,"asm_group_id":1)"),
      Record("spamreport", "m2", kT0 + 9 * kMin),
  };
}

TEST_F(KpiStoreTest, EveryCounterOnAHandMadeSequence) {
  for (const auto& r : FullSequence()) Apply(r);
  const CampaignState& c = C();
  EXPECT_EQ(c.name, "Spring");
  const KpiCounters& k = c.total;
  EXPECT_EQ(k[Kpi::kProcessed], 5);
  EXPECT_EQ(k[Kpi::kDelivered], 2);
  EXPECT_EQ(k[Kpi::kDeferred], 1);
  EXPECT_EQ(k[Kpi::kBounces], 1);
  EXPECT_EQ(k[Kpi::kBlocks], 1);
  EXPECT_EQ(k[Kpi::kDropped], 1);
  EXPECT_EQ(k[Kpi::kOpens], 4);
  EXPECT_EQ(k[Kpi::kUniqueOpens], 2);
  EXPECT_EQ(k[Kpi::kMachineOpens], 2);
  EXPECT_EQ(k[Kpi::kHumanUniqueOpens], 1);
  EXPECT_EQ(k[Kpi::kClicks], 3);
  EXPECT_EQ(k[Kpi::kUniqueClicks], 1);
  EXPECT_EQ(k[Kpi::kUnsubscribes], 1);
  EXPECT_EQ(k[Kpi::kGroupUnsubscribes], 1);
  EXPECT_EQ(k[Kpi::kGroupResubscribes], 1);
  EXPECT_EQ(k[Kpi::kSpamReports], 1);
  EXPECT_EQ(c.dropped_by_reason.at("Bounced Address"), 1);
  ASSERT_EQ(c.links.size(), 2u);
  EXPECT_EQ(c.links[0].url, "https://a");
  EXPECT_EQ(c.links[0].clicks, 2);
  EXPECT_EQ(c.links[0].unique_clicks, 1);
  EXPECT_EQ(c.links[1].clicks, 1);
  EXPECT_EQ(c.links[1].unique_clicks, 1);

  KpiRates r = ComputeRates(k);
  EXPECT_DOUBLE_EQ(r.delivery_rate, 2.0 / 5);
  EXPECT_DOUBLE_EQ(r.open_rate, 2.0 / 2);
  EXPECT_DOUBLE_EQ(r.human_open_rate, 1.0 / 2);
  EXPECT_DOUBLE_EQ(r.click_rate, 1.0 / 2);
  EXPECT_DOUBLE_EQ(r.click_to_open_rate, 1.0 / 2);
  EXPECT_DOUBLE_EQ(r.bounce_rate, 1.0 / 5);
  EXPECT_DOUBLE_EQ(r.unsubscribe_rate, 1.0 / 2);
  EXPECT_DOUBLE_EQ(r.spam_rate, 1.0 / 2);
}

TEST(KpiRatesTest, ZeroDenominatorsGiveZero) {
  KpiRates r = ComputeRates(KpiCounters{});
  EXPECT_EQ(r.delivery_rate, 0);
  EXPECT_EQ(r.open_rate, 0);
  EXPECT_EQ(r.click_to_open_rate, 0);
}

TEST_F(KpiStoreTest, OrderIndifferentIncludingBuckets) {
  std::vector<std::string> events = FullSequence();
  for (const auto& r : events) Apply(r);
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(events.begin(), events.end(), rng);
    KpiStore other;
    KpiEventDecoder d;
    for (const auto& r : events) ApplyRecord(other, d, r);
    const CampaignState& a = C();
    const CampaignState& b = *other.Find("ss1");
    ASSERT_EQ(a.total, b.total) << "round " << round;
    for (int g = 0; g < 3; ++g) {
      // Buckets that ended at zero after a move may linger empty: compare non-empty ones.
      auto nonempty = [](const std::map<int64_t, KpiCounters>& m) {
        std::map<int64_t, KpiCounters> out;
        for (const auto& [k, v] : m)
          if (!v.empty()) out.emplace(k, v);
        return out;
      };
      ASSERT_EQ(nonempty(a.buckets[g]), nonempty(b.buckets[g]))
          << "round " << round << " granularity " << g;
    }
  }
}

TEST_F(KpiStoreTest, EarlierOpenArrivingLaterMovesTheUniqueToItsMinute) {
  Apply(Record("open", "m1", kT0 + 10 * kMin));
  Apply(Record("open", "m1", kT0 + 2 * kMin));
  const auto& minutes = C().buckets[0];
  EXPECT_EQ(minutes.at(kT0 + 2 * kMin)[Kpi::kUniqueOpens], 1);
  EXPECT_EQ(minutes.at(kT0 + 10 * kMin)[Kpi::kUniqueOpens], 0);
  EXPECT_EQ(minutes.at(kT0 + 10 * kMin)[Kpi::kOpens], 1);
  EXPECT_EQ(C().total[Kpi::kUniqueOpens], 1);
  EXPECT_EQ(C().total[Kpi::kHumanUniqueOpens], 1);
}

TEST_F(KpiStoreTest, OncePerMessageEventsAreIdempotent) {
  for (int i = 0; i < 3; ++i) {
    Apply(Record("processed", "m1", kT0));
    Apply(Record("delivered", "m1", kT0 + i));
    Apply(Record("open", "m1", kT0 + i));
  }
  EXPECT_EQ(C().total[Kpi::kProcessed], 1);
  EXPECT_EQ(C().total[Kpi::kDelivered], 1);
  EXPECT_EQ(C().total[Kpi::kOpens], 3) << "opens are counted as they come (ingest dedupes)";
  EXPECT_EQ(C().total[Kpi::kUniqueOpens], 1);
}

TEST_F(KpiStoreTest, UniqueIsPerMessageNotPerRecipient) {
  Apply(Record("open", "m1", kT0, R"(,"singlesend_id":"ss1","email":"a@x")"));
  Apply(Record("open", "m2", kT0, R"(,"singlesend_id":"ss1","email":"a@x")"));
  EXPECT_EQ(C().total[Kpi::kUniqueOpens], 2);
}

TEST_F(KpiStoreTest, BucketBoundaries) {
  // 23:59:59.999 and 00:00:00.000 fall in different minutes, hours and days.
  Apply(Record("delivered", "m1", kT0 - 1));
  Apply(Record("delivered", "m2", kT0));
  Apply(Record("delivered", "m3", kT0 + kMin - 1));
  Apply(Record("delivered", "m4", kT0 + kMin));
  const CampaignState& c = C();
  EXPECT_EQ(c.buckets[0].at(kT0 - kMin)[Kpi::kDelivered], 1);
  EXPECT_EQ(c.buckets[0].at(kT0)[Kpi::kDelivered], 2);
  EXPECT_EQ(c.buckets[0].at(kT0 + kMin)[Kpi::kDelivered], 1);
  EXPECT_EQ(c.buckets[1].at(kT0 - 3'600'000)[Kpi::kDelivered], 1);
  EXPECT_EQ(c.buckets[1].at(kT0)[Kpi::kDelivered], 3);
  EXPECT_EQ(c.buckets[2].at(kT0 - 86'400'000)[Kpi::kDelivered], 1);
  EXPECT_EQ(c.buckets[2].at(kT0)[Kpi::kDelivered], 3);
  // Ranges: [since, until) by event time.
  EXPECT_EQ(KpiStore::Sum(c, kT0, 0)[Kpi::kDelivered], 3);
  EXPECT_EQ(KpiStore::Sum(c, 0, kT0)[Kpi::kDelivered], 1);
  EXPECT_EQ(KpiStore::Sum(c, kT0, kT0 + kMin)[Kpi::kDelivered], 2);
  EXPECT_EQ(KpiStore::Sum(c, kT0 - 86'400'000, kT0)[Kpi::kDelivered], 1)
      << "day-aligned: day buckets";
  auto series = KpiStore::Series(c, Granularity::kMinute, kT0, kT0 + 2 * kMin);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].first, kT0);
  EXPECT_EQ(series[1].first, kT0 + kMin);
}

TEST_F(KpiStoreTest, MinuteBucketsBeyondRetentionAreDroppedHoursKept) {
  KpiStore s(KpiStoreOptions{0, 60 * kMin});
  KpiEventDecoder d;
  ApplyRecord(s, d, Record("delivered", "m1", kT0));
  ApplyRecord(s, d, Record("delivered", "m2", kT0 + 3 * 60 * kMin));
  const CampaignState& c = *s.Find("ss1");
  EXPECT_EQ(c.buckets[0].count(kT0), 0u);
  EXPECT_EQ(c.buckets[1].at(kT0)[Kpi::kDelivered], 1);
  EXPECT_EQ(c.total[Kpi::kDelivered], 2);
}

TEST_F(KpiStoreTest, CampaignKeyChoice) {
  Apply(Record("processed", "m1", kT0,
               R"(,"singlesend_id":"ss9","marketing_campaign_id":5,"category":["c"])"));
  Apply(
      Record("processed", "m2", kT0,
             R"(,"marketing_campaign_id":5,"marketing_campaign_name":"Legacy","category":["c"])"));
  Apply(Record("processed", "m3", kT0, R"(,"category":["first","second"])"));
  Apply(Record("processed", "m4", kT0, R"(,"category":"plain")"));
  Apply(Record("processed", "m5", kT0, R"(,"category":[])"));
  EXPECT_EQ(C("ss9").total[Kpi::kProcessed], 1);
  EXPECT_EQ(C("5").name, "Legacy");
  EXPECT_EQ(C("first").total[Kpi::kProcessed], 1);
  EXPECT_EQ(C("plain").total[Kpi::kProcessed], 1);
  EXPECT_EQ(C("_none").total[Kpi::kProcessed], 1);

  // Configured: category only.
  KpiStore s;
  KpiEventDecoder d(*ParseCampaignKey({"category"}));
  ApplyRecord(s, d, Record("processed", "m1", kT0, R"(,"singlesend_id":"ss9","category":["c"])"));
  ASSERT_NE(s.Find("c"), nullptr);
  EXPECT_EQ(s.Find("ss9"), nullptr);
  EXPECT_FALSE(ParseCampaignKey({"nope"}).ok());
}

TEST_F(KpiStoreTest, EventsWithoutMessageIdCountButCannotBeUnique) {
  Apply(Record("open", "", kT0));
  Apply(Record("open", "", kT0));
  Apply(Record("bounce", "", kT0, R"(,"singlesend_id":"ss1","type":"bounce")"));
  EXPECT_EQ(C().total[Kpi::kOpens], 2);
  EXPECT_EQ(C().total[Kpi::kUniqueOpens], 2);
  EXPECT_EQ(C().total[Kpi::kBounces], 1);
  EXPECT_EQ(store_.messages().size(), 0u);
}

TEST_F(KpiStoreTest, CapitalisedEventNamesAndUnknownEvents) {
  Apply(Record("Delivered", "m1", kT0));
  Apply(Record("account_status_change", "", kT0));
  EXPECT_EQ(C().total[Kpi::kDelivered], 1);
  EXPECT_EQ(store_.events_applied(), 1);
}

TEST_F(KpiStoreTest, SnapshotRoundTripThenSameResultsAsNoRestart) {
  std::vector<std::string> events = FullSequence();
  size_t half = events.size() / 2;
  for (size_t i = 0; i < half; ++i) Apply(events[i]);
  const StreamPositions positions = {
      {ShardId(0), SequenceNumber(7)},
      {ShardId(3),
       *SequenceNumber::FromDecimal("49546986683135544286507457936321625675700192471156785154")},
      {ShardId(1), SequenceNumber::ShardEnd()}};
  std::string blob = store_.Serialize(positions);
  KpiStore restored;
  StreamPositions pos;
  ASSERT_TRUE(restored.Deserialize(blob, &pos).ok());
  EXPECT_EQ(pos, positions);
  KpiEventDecoder d;
  for (size_t i = half; i < events.size(); ++i) {
    Apply(events[i]);
    ApplyRecord(restored, d, events[i]);
  }
  EXPECT_EQ(restored.Find("ss1")->total, C().total);
  EXPECT_EQ(restored.Find("ss1")->buckets[0], C().buckets[0]);
  EXPECT_EQ(restored.Find("ss1")->links.size(), C().links.size());
  EXPECT_EQ(restored.messages().size(), store_.messages().size());
}

TEST_F(KpiStoreTest, DamagedSnapshotIsCorruption) {
  Apply(Record("delivered", "m1", kT0));
  std::string blob = store_.Serialize({{ShardId(0), SequenceNumber(1)}});
  StreamPositions pos;
  for (size_t i : {size_t{0}, blob.size() / 2, blob.size() - 1}) {
    std::string bad = blob;
    bad[i] ^= 0x40;
    KpiStore s;
    EXPECT_EQ(s.Deserialize(bad, &pos).kind(), ErrorKind::kCorruption) << i;
  }
  KpiStore s;
  EXPECT_EQ(s.Deserialize(blob.substr(0, blob.size() - 3), &pos).kind(), ErrorKind::kCorruption);
}

// A snapshot of the previous format ("MPKPI001": 16 counters, 6-field
// message states, no spill index), written by hand as docs/analytics.md
// describes it, still loads; the counters it lacks start at 0.
TEST(KpiSnapshotCompatTest, Version1SnapshotLoads) {
  std::string b = "MPKPI001";
  auto u = [&b](uint64_t v) { PutVarint64(b, v); };
  auto str = [&](std::string_view x) {
    u(x.size());
    b.append(x);
  };
  u(1);           // shards
  u(42);          //   seq of shard 0
  u(7);           // store version
  u(2);           // events applied
  u(29'453'761);  // newest minute (+1)
  u(16);          // counters per bucket
  u(1);           // campaigns
  str("ss1");
  str("Spring");
  u(7);                                                      // campaign version
  for (int i = 0; i < 16; ++i) u(i == 0 || i == 1 ? 2 : 0);  // processed 1, delivered 1 (zigzag)
  u(0);                                                      // dropped reasons
  for (int g = 0; g < 3; ++g) u(0);                          // no buckets
  u(0);                                                      // links
  u(0);                                                      // overflow keys
  u(1);                                                      // messages
  u(0);                                                      // evicted through
  str("m1");
  for (uint64_t v : {0, 0, 0, 29'453'761, 0, kSeenProcessed | kSeenDelivered}) u(v);
  char crc[4];
  EncodeFixed32(crc, crc32c::Value(b));
  b.append(crc, 4);

  KpiStore store;
  StreamPositions pos;
  Status st = store.Deserialize(b, &pos);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(pos, (StreamPositions{{ShardId(0), SequenceNumber(42)}}));
  const CampaignState* c = store.Find("ss1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "Spring");
  EXPECT_EQ(c->total[Kpi::kProcessed], 1);
  EXPECT_EQ(c->total[Kpi::kDelivered], 1);
  EXPECT_EQ(c->total[Kpi::kBotClicks], 0);
  KpiEventDecoder d;
  ApplyRecord(store, d, Record("delivered", "m1", kT0));  // the flags came back
  EXPECT_EQ(store.Find("ss1")->total[Kpi::kDelivered], 1);
}

TEST(KpiEventDecoderTest, RejectsRecordsItCannotUse) {
  KpiEventDecoder d;
  KpiEvent e;
  EXPECT_EQ(d.Decode("not json", &e).kind(), ErrorKind::kCorruption);
  EXPECT_EQ(d.Decode(R"({"event":"open"})", &e).kind(), ErrorKind::kCorruption);
  ASSERT_TRUE(
      d.Decode(R"({"_mailpulse":{"event_ms":5,"message_id":"a\u0062"},"event":"click","url":"u"})",
               &e)
          .ok());
  EXPECT_EQ(e.message_id, "ab");
  EXPECT_EQ(e.kind, KpiEventKind::kClick);
  EXPECT_EQ(e.campaign_id, kNoCampaign);
}

}  // namespace
}  // namespace mailpulse
