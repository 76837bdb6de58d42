// rebuild --from-lake: events delivered to a lake (the real ShardDeliverer,
// gzip objects) and replayed from it give exactly the counts of applying the
// records directly; the stream's undelivered tail is added once; an object
// repeated under another prefix is not counted twice.
#include "analytics/lake_replay.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "../delivery/delivery_test_util.h"
#include "analytics/analytics_service.h"
#include "delivery/batch_builder.h"
#include "delivery/delivery_probe.h"
#include "delivery/delivery_service.h"
#include "delivery/shard_deliverer.h"
#include "kpi_test_util.h"
#include "stream/local/local_stream.h"

namespace mailpulse {
namespace {

constexpr uint32_t kShards = 2;

TEST(LakeObjectNameTest, ParsesWhatLakeObjectNameWrites) {
  std::string name =
      LakeObjectName("events", ShardId(3), SequenceNumber(17), SequenceNumber(42), ".json.gz");
  auto p = ParseLakeObjectName(name);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->source, "events");
  EXPECT_EQ(p->shard.value(), 3u);
  EXPECT_EQ(p->first.u64(), 17u);
  EXPECT_EQ(p->last.u64(), 42u);
  EXPECT_EQ(p->extension, ".json.gz");
  for (const char* bad :
       {"", "mailpulse-events", "other-events-0003-00000000000000000017-00000000000000000042.json",
        "mailpulse-events-003-00000000000000000017-00000000000000000042.json",
        "mailpulse-events-0003-0000000000000000001x-00000000000000000042.json",
        "mailpulse--0003-00000000000000000017-00000000000000000042.json"}) {
    EXPECT_FALSE(ParseLakeObjectName(bad).has_value()) << bad;
  }
}

TEST(LakeObjectNameTest, KinesisSequenceNumbersRoundTrip) {
  // Kinesis' numbers are ~56 digits: written unpadded, parsed back exactly.
  auto first =
      *SequenceNumber::FromDecimal("49546986683135544286507457936321625675700192471156785154");
  auto last =
      *SequenceNumber::FromDecimal("49546986683135544286507457936321625675700192471156785999");
  std::string name = LakeObjectName("events", ShardId(12), first, last, ".json.gz");
  EXPECT_EQ(name,
            "mailpulse-events-0012-49546986683135544286507457936321625675700192471156785154-"
            "49546986683135544286507457936321625675700192471156785999.json.gz");
  auto p = ParseLakeObjectName(name);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->shard, ShardId(12));
  EXPECT_EQ(p->first, first);
  EXPECT_EQ(p->last, last);
  // A source with '-' and a 20-digit (padded) number still parse.
  auto q =
      ParseLakeObjectName("mailpulse-my-src-0001-00000000000000000009-18446744073709551616.json");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->source, "my-src");
  EXPECT_EQ(q->first.u64(), 9u);
  EXPECT_FALSE(q->last.fits_u64());
  EXPECT_EQ(q->last.ToString(), "18446744073709551616");
}

TEST(LakeLineDecodeTest, FlattenedEnvelopeDecodesErrorLinesDoNot) {
  KpiEventDecoder d;
  KpiEvent e;
  ASSERT_TRUE(d.Decode(R"({"mp_received_ms":1,"mp_webhook":"default","mp_message_id":"m1",)"
                       R"("mp_event_ms":1767225600000,"event":"open","singlesend_id":"ss1"})",
                       &e)
                  .ok());
  EXPECT_EQ(e.message_id, "m1");
  EXPECT_EQ(e.event_ms, 1767225600000);
  EXPECT_EQ(e.kind, KpiEventKind::kOpen);
  EXPECT_EQ(e.campaign_id, "ss1");
  // In a stream record, mp_* members after the envelope are custom args.
  ASSERT_TRUE(d.Decode(R"({"_mailpulse":{"message_id":"m2","event_ms":5},"event":"open",)"
                       R"("mp_error":"x","mp_event_ms":9})",
                       &e)
                  .ok());
  EXPECT_EQ(e.event_ms, 5);
  EXPECT_EQ(
      d.Decode(R"({"mp_received_ms":1,"mp_error":"missing field: event","raw":{}})", &e).kind(),
      ErrorKind::kCorruption);
}

class LakeReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-lake-replay-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    LocalStreamOptions o;
    o.dir = root_ + "/stream";
    o.shards = kShards;
    o.retention_seconds = 0;
    auto s = LocalStream::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    stream_ = std::move(*s);
    ASSERT_TRUE(PrefixTemplate::ParsePair(DeliveryOptions::kDefaultLakePrefix,
                                          DeliveryOptions::kDefaultLakeErrorPrefix, &batch_.prefix,
                                          &batch_.error_prefix)
                    .ok());
    batch_.encoding = *FindEncoding("jsonl.gz");
  }
  void TearDown() override {
    stream_.reset();
    std::filesystem::remove_all(root_);
  }

  void Append(const std::vector<std::string>& records, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      std::string_view r = records[i];
      size_t at = r.find(R"("message_id":")") + 14;
      std::string msg(r.substr(at, r.find('"', at) - at));
      std::promise<Status> done;
      stream_->Append(
          stream_->ShardFor(msg), {AppendRecord{msg, records[i], 0}},
          [&](const Status& st, SequenceNumber, SequenceNumber) { done.set_value(st); });
      ASSERT_TRUE(done.get_future().get().ok());
    }
  }
  // Delivers everything appended so far, in batches of ~20 KB (many objects).
  StreamPositions Deliver() {
    StreamPositions checkpoints;
    ShardDelivererOptions o;
    o.buffer_bytes = 20'000;
    o.interval_ms = 900'000;
    for (uint32_t s = 0; s < kShards; ++s) {
      ShardDeliverer d(o, &batch_, stream_.get(), &lake_, ShardId(s), &probe_);
      EXPECT_TRUE(d.Recover().ok());
      for (;;) {
        auto n = d.Step();
        EXPECT_TRUE(n.ok());
        if (!n.ok() || *n == 0) break;
      }
      EXPECT_TRUE(d.Flush().ok());
      if (!d.checkpoint().is_zero()) checkpoints[ShardId(s)] = d.checkpoint();
    }
    return checkpoints;
  }
  std::unique_ptr<AnalyticsService> Service() {
    auto s = AnalyticsService::Open(stream_.get(), AnalyticsOptions{});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static KpiStore Direct(const std::vector<std::string>& records, size_t to) {
    KpiStore store;
    KpiEventDecoder d;
    for (size_t i = 0; i < to; ++i) testing::ApplyRecord(store, d, records[i]);
    return store;
  }

  std::string root_;
  std::unique_ptr<LocalStream> stream_;
  testing::MemoryObjectStore lake_;
  BatchOptions batch_;
  MetricsRegistry metrics_;
  DeliveryProbe probe_{metrics_, "events"};
};

TEST_F(LakeReplayTest, LakePlusStreamTailEqualsEverythingExactly) {
  std::vector<std::string> records = testing::MixedTraffic(600, 5);
  const size_t delivered = records.size() * 3 / 4;
  Append(records, 0, delivered);
  StreamPositions checkpoints = Deliver();
  ASSERT_GT(lake_.objects.size(), 2 * kShards) << "several batches and partitions";
  Append(records, delivered, records.size());  // not in the lake yet

  // The lake alone: exactly the delivered records.
  KpiStore from_lake;
  KpiEventDecoder decoder;
  auto stats = ReplayLake(lake_, kShards, decoder, [&](const KpiEvent& e) { from_lake.Apply(e); });
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->lines, delivered);
  EXPECT_EQ(stats->skipped, 0u);
  EXPECT_EQ(stats->objects, lake_.objects.size());
  EXPECT_EQ(stats->positions, checkpoints);
  testing::ExpectSameKpis(Direct(records, delivered), from_lake);

  // The rebuild: lake, then the stream after the lake's last record per shard.
  auto service = Service();
  auto applied = service->ApplyLake(lake_);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_TRUE(service->CatchUp().ok());
  KpiStore all = Direct(records, records.size());
  service->Read([&](const KpiStore& s) {
    testing::ExpectSameKpis(all, s);
    EXPECT_EQ(s.events_applied(), all.events_applied());
  });
  EXPECT_EQ(service->ApplyLake(lake_).status().kind(), ErrorKind::kInvalid) << "only once";
}

TEST_F(LakeReplayTest, AnObjectRepeatedUnderAnotherPrefixCountsOnce) {
  std::vector<std::string> records = testing::MixedTraffic(200, 6);
  Append(records, 0, records.size());
  Deliver();
  auto [key, bytes] = *lake_.objects.begin();
  lake_.objects["elsewhere/" + key.substr(key.rfind('/') + 1)] = bytes;
  lake_.objects["notes/readme.txt"] = "not an object of the lake";
  KpiStore store;
  KpiEventDecoder decoder;
  auto stats = ReplayLake(lake_, kShards, decoder, [&](const KpiEvent& e) { store.Apply(e); });
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->duplicate_objects, 1u);
  EXPECT_EQ(stats->lines, records.size());
  testing::ExpectSameKpis(Direct(records, records.size()), store);
}

TEST_F(LakeReplayTest, ObjectsOfAnotherStreamAreRefused) {
  lake_.objects["x/" + LakeObjectName("events", ShardId(kShards), SequenceNumber(1),
                                      SequenceNumber(1), ".json")] = "{}\n";
  KpiEventDecoder decoder;
  auto stats = ReplayLake(lake_, kShards, decoder, [](const KpiEvent&) {});
  EXPECT_EQ(stats.status().kind(), ErrorKind::kInvalid);
}

}  // namespace
}  // namespace mailpulse
