// The Kafka backend against librdkafka's in-process mock cluster: appends
// and reads with exact contents, offsets as sequence numbers, every start
// position, checkpoints as consumer-group offsets, Describe, topic checks.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "common/metrics.h"
#include "kafka_test_util.h"
#include "stream/stream_registry.h"

namespace mailpulse::testing {
namespace {

class KafkaStreamTest : public KafkaTestBase {};

TEST_F(KafkaStreamTest, ShardCountIsThePartitionCount) {
  Open();
  EXPECT_EQ(stream_->shard_count(), kPartitions);
}

TEST_F(KafkaStreamTest, RoundTripAcrossPartitions) {
  Open();
  for (uint32_t p = 0; p < kPartitions; ++p) {
    std::string pre = "p" + std::to_string(p) + "-";
    auto r = KafkaAppendAndWait(*stream_, p, {pre + "a", pre + "b", pre + "c"},
                                1'700'000'000'000 + p, "msg-" + std::to_string(p));
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.first, 1u);  // offset 0 + 1
    EXPECT_EQ(r.last, 3u);
  }
  auto again = KafkaAppendAndWait(*stream_, 2, {"p2-d", "p2-e"}, 1'700'000'000'100, "msg-x");
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.first, 4u);
  EXPECT_EQ(again.last, 5u);

  for (uint32_t p = 0; p < kPartitions; ++p) {
    std::string pre = "p" + std::to_string(p) + "-";
    size_t n = p == 2 ? 5 : 3;
    auto recs = ReadPartition(p, n);
    ASSERT_EQ(recs.size(), n) << "partition " << p;
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(recs[i].seq.u64(), i + 1);
      EXPECT_EQ(recs[i].payload, pre + std::string(1, static_cast<char>('a' + i)));
      EXPECT_EQ(recs[i].partition_key, "msg-" + std::to_string(p));
      EXPECT_EQ(recs[i].arrival_ms, 1'700'000'000'000 + p);
    }
    if (p == 2) {
      EXPECT_EQ(recs[3].payload, "p2-d");
      EXPECT_EQ(recs[4].seq.u64(), 5u);
      EXPECT_EQ(recs[4].partition_key, "msg-x");
      EXPECT_EQ(recs[4].arrival_ms, 1'700'000'000'100);
    }
  }
}

TEST_F(KafkaStreamTest, ConcurrentAppendsEachLandOnce) {
  Open();
  constexpr int kThreads = 8, kCalls = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int c = 0; c < kCalls; ++c) {
        std::string base = std::to_string(t) + "-" + std::to_string(c) + "-";
        auto r = KafkaAppendAndWait(*stream_, static_cast<uint32_t>(t) % kPartitions,
                                    {base + "0", base + "1"});
        if (r.status.ok() && r.last == r.first + 1) ok.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls);
  std::set<std::string> seen;
  size_t total = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    auto recs = ReadPartition(p, 2 * kCalls * kThreads / kPartitions);
    for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].seq.u64(), i + 1);
    for (auto& r : recs) seen.insert(r.payload);
    total += recs.size();
  }
  EXPECT_EQ(total, size_t{2 * kThreads * kCalls});
  EXPECT_EQ(seen.size(), total);
}

TEST_F(KafkaStreamTest, StartPositions) {
  Open();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        KafkaAppendAndWait(*stream_, 1, {"r" + std::to_string(i + 1)}, 1'700'000'000'000 + i * 1000)
            .status.ok());
  }
  auto payloads = [](const std::vector<StreamRecord>& v) {
    std::vector<std::string> out;
    for (auto& r : v) out.push_back(r.payload);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(payloads(ReadPartition(1, 5)), (V{"r1", "r2", "r3", "r4", "r5"}));
  EXPECT_EQ(payloads(ReadPartition(1, 3, StartPosition::At(SequenceNumber(3)))),
            (V{"r3", "r4", "r5"}));
  EXPECT_EQ(payloads(ReadPartition(1, 2, StartPosition::After(SequenceNumber(3)))),
            (V{"r4", "r5"}));
  EXPECT_EQ(payloads(ReadPartition(1, 5, StartPosition::At(SequenceNumber()))).size(), 5u);
  // AtTimestamp maps to offsets_for_times; librdkafka's mock cluster answers
  // every timestamp lookup with "none" (its ListOffsets has no index), so
  // only the "after the last record" case is checkable here.
  EXPECT_TRUE(ReadPartition(1, 0, StartPosition::AtTimestamp(1'800'000'000'000)).empty());
  EXPECT_TRUE(ReadPartition(1, 0, StartPosition::After(SequenceNumber(5))).empty());

  // Latest: only what is appended after the reader opened.
  auto latest = stream_->OpenReader(ShardId(1), StartPosition::Latest());
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(KafkaAppendAndWait(*stream_, 1, {"r6"}).status.ok());
  auto recs = ReadRecords(**latest, 1);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].payload, "r6");
  EXPECT_EQ(recs[0].seq.u64(), 6u);
}

// Callers stop at the first empty Read (dedupe rebuild, delivery's replay of
// an interrupted batch): a fresh reader must not answer "caught up" before
// its first fetch, and must say so promptly on an empty partition.
TEST_F(KafkaStreamTest, EmptyReadMeansCaughtUp) {
  Open();
  ASSERT_TRUE(KafkaAppendAndWait(*stream_, 0, {"a", "b", "c"}).status.ok());
  for (auto start : {StartPosition::TrimHorizon(), StartPosition::After(SequenceNumber(1))}) {
    auto reader = stream_->OpenReader(ShardId(0), start);
    ASSERT_TRUE(reader.ok());
    std::vector<StreamRecord> all;
    for (;;) {
      auto got = (*reader)->Read(2, 1 << 20);
      ASSERT_TRUE(got.ok());
      if (got->empty()) break;
      for (auto& r : *got) all.push_back(std::move(r));
    }
    ASSERT_EQ(all.size(), start.kind == StartPosition::Kind::kTrimHorizon ? 3u : 2u);
    EXPECT_EQ(all.back().payload, "c");
  }
  auto empty = stream_->OpenReader(ShardId(1), StartPosition::TrimHorizon());
  ASSERT_TRUE(empty.ok());
  auto t0 = std::chrono::steady_clock::now();
  auto got = (*empty)->Read(10, 1 << 20);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
}

TEST_F(KafkaStreamTest, ReadRespectsRecordAndByteLimits) {
  Open();
  std::vector<std::string> big;
  for (int i = 0; i < 10; ++i) big.push_back(std::string(1000, static_cast<char>('a' + i)));
  ASSERT_TRUE(KafkaAppendAndWait(*stream_, 0, big).status.ok());
  auto reader = stream_->OpenReader(ShardId(0), StartPosition::TrimHorizon());
  ASSERT_TRUE(reader.ok());
  std::vector<StreamRecord> all;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (all.size() < 10 && std::chrono::steady_clock::now() < deadline) {
    auto got = (*reader)->Read(3, 2500);
    ASSERT_TRUE(got.ok());
    EXPECT_LE(got->size(), 2u);  // 2500 bytes hold two 1000-byte records, not three
    for (auto& r : *got) all.push_back(std::move(r));
  }
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(all[i].seq.u64(), i + 1);
    EXPECT_EQ(all[i].payload, big[i]);
  }
}

TEST_F(KafkaStreamTest, CheckpointsAreConsumerGroupOffsets) {
  Open();
  auto none = stream_->LoadCheckpoint("delivery", ShardId(0));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().kind(), ErrorKind::kNotFound);

  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(0), SequenceNumber(3)).ok());
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(2), SequenceNumber(7)).ok());
  ASSERT_TRUE(stream_->SaveCheckpoint("analytics", ShardId(0), SequenceNumber(1)).ok());
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(0), SequenceNumber(5)).ok());

  auto d0 = stream_->LoadCheckpoint("delivery", ShardId(0));
  ASSERT_TRUE(d0.ok()) << d0.status().ToString();
  EXPECT_EQ(d0->u64(), 5u);
  EXPECT_EQ(stream_->LoadCheckpoint("delivery", ShardId(2))->u64(), 7u);
  EXPECT_EQ(stream_->LoadCheckpoint("analytics", ShardId(0))->u64(), 1u);
  EXPECT_EQ(stream_->LoadCheckpoint("delivery", ShardId(1)).status().kind(), ErrorKind::kNotFound);

  // Durable in Kafka, not in the client: a new stream (new clients) reads them.
  Open();
  EXPECT_EQ(stream_->LoadCheckpoint("delivery", ShardId(0))->u64(), 5u);
  EXPECT_EQ(stream_->LoadCheckpoint("analytics", ShardId(0))->u64(), 1u);
}

TEST_F(KafkaStreamTest, CheckpointResumesAfterTheSavedRecord) {
  Open();
  ASSERT_TRUE(KafkaAppendAndWait(*stream_, 3, {"a", "b", "c", "d"}).status.ok());
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(3), SequenceNumber(2)).ok());
  auto cp = stream_->LoadCheckpoint("delivery", ShardId(3));
  ASSERT_TRUE(cp.ok());
  auto recs = ReadPartition(3, 2, StartPosition::After(*cp));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].payload, "c");
  EXPECT_EQ(recs[0].seq.u64(), 3u);
}

TEST_F(KafkaStreamTest, DescribeReportsWatermarks) {
  Open();
  ASSERT_TRUE(KafkaAppendAndWait(*stream_, 0, {"a", "b", "c"}).status.ok());
  ASSERT_TRUE(KafkaAppendAndWait(*stream_, 3, {"x"}).status.ok());
  auto info = stream_->Describe();
  ASSERT_EQ(info.size(), kPartitions);
  EXPECT_EQ(info[0].id.value(), 0u);
  EXPECT_EQ(info[0].name, "partition-0");
  EXPECT_EQ(info[3].name, "partition-3");
  EXPECT_FALSE(info[0].closed);
  EXPECT_TRUE(info[0].parents.empty());
  EXPECT_EQ(info[0].first_seq.u64(), 1u);
  EXPECT_EQ(info[0].last_seq.u64(), 3u);
  EXPECT_EQ(info[0].records, 3u);
  EXPECT_EQ(info[1].first_seq.u64(), 0u);
  EXPECT_EQ(info[1].last_seq.u64(), 0u);
  EXPECT_EQ(info[1].records, 0u);
  EXPECT_EQ(info[3].last_seq.u64(), 1u);
  EXPECT_EQ(info[3].starting_hash_key, ShardHashKeyRange(3, kPartitions).first);
}

TEST_F(KafkaStreamTest, InvalidAppendsAndShards) {
  Open();
  EXPECT_EQ(KafkaAppendAndWait(*stream_, 0, {}).status.kind(), ErrorKind::kInvalid);
  EXPECT_EQ(KafkaAppendAndWait(*stream_, kPartitions, {"x"}).status.kind(), ErrorKind::kInvalid);
  EXPECT_EQ(stream_->OpenReader(ShardId(kPartitions), StartPosition::TrimHorizon()).status().kind(),
            ErrorKind::kInvalid);
}

TEST_F(KafkaStreamTest, MissingTopicIsInvalidWithTheFix) {
  auto url = ParseKafkaUrl("kafka://" + mock_->bootstraps() + "/nope?request_timeout_ms=3000");
  ASSERT_TRUE(url.ok());
  KafkaStreamOptions o;
  o.url = *url;
  o.topic = "nope";
  auto s = KafkaStream::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().kind(), ErrorKind::kInvalid);
  EXPECT_NE(s.status().message().find("does not exist"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("--create --topic nope"), std::string::npos);
}

TEST_F(KafkaStreamTest, PartitionCountMismatchIsInvalid) {
  auto url = ParseKafkaUrl(Url("partitions=8&request_timeout_ms=3000"));
  ASSERT_TRUE(url.ok());
  KafkaStreamOptions o;
  o.url = *url;
  o.topic = kTopic;
  o.expected_partitions = url->partitions;
  auto s = KafkaStream::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().kind(), ErrorKind::kInvalid);
  EXPECT_NE(s.status().message().find("has 4 partitions but partitions=8"), std::string::npos)
      << s.status().message();
}

TEST_F(KafkaStreamTest, NoBrokerIsRetry) {
  // A port nothing listens on: the metadata request times out.
  auto url = ParseKafkaUrl("kafka://127.0.0.1:1/events?request_timeout_ms=500");
  ASSERT_TRUE(url.ok());
  KafkaStreamOptions o;
  o.url = *url;
  o.topic = "events";
  auto s = KafkaStream::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().kind(), ErrorKind::kRetry) << s.status().ToString();
}

TEST_F(KafkaStreamTest, MetricsCountDurableRecordsAndFailedAppends) {
  MetricsRegistry registry;
  auto url = ParseKafkaUrl(Url("request_timeout_ms=3000"));
  ASSERT_TRUE(url.ok());
  KafkaStreamOptions o;
  o.url = *url;
  o.topic = kTopic;
  o.metrics = &registry;
  auto s = KafkaStream::Open(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(KafkaAppendAndWait(**s, 0, {"a", "b", "c"}).status.ok());
  (*s)->Close();
  EXPECT_EQ(KafkaAppendAndWait(**s, 0, {"d"}).status.kind(), ErrorKind::kRetry);
  const std::string labels = "stream=\"events\"";
  EXPECT_EQ(registry.GetCounter("mailpulse_stream_records_total", "", labels).value(), 3u);
  EXPECT_EQ(registry.GetCounter("mailpulse_stream_append_failures_total", "", labels).value(), 0u)
      << "an append refused after Close never reached the producer";
}

TEST_F(KafkaStreamTest, RegistryOpensEventsAndErrorsTopics) {
  ASSERT_TRUE(mock_->CreateTopic("events-errors", 1).ok());
  StreamOpenOptions o;
  auto events = OpenStream(Url("partitions=4&request_timeout_ms=3000"), o);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ((*events)->shard_count(), 4u);
  o.role = "errors";
  auto errors = OpenStream(Url("partitions=4&request_timeout_ms=3000"), o);
  ASSERT_TRUE(errors.ok()) << errors.status().ToString();
  EXPECT_EQ((*errors)->shard_count(), 1u);  // partitions= applies to the events topic only
  ASSERT_TRUE(KafkaAppendAndWait(**errors, 0, {"bad"}).status.ok());
  auto recs = ReadRecords(**(*errors)->OpenReader(ShardId(0), StartPosition::TrimHorizon()), 1);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].payload, "bad");
  auto bad = OpenStream("kafka://" + mock_->bootstraps() + "/events?shards=4", StreamOpenOptions{});
  EXPECT_EQ(bad.status().kind(), ErrorKind::kInvalid);
}

TEST_F(KafkaStreamTest, AppendAfterCloseIsRetry) {
  Open();
  stream_->Close();
  EXPECT_EQ(KafkaAppendAndWait(*stream_, 0, {"x"}).status.kind(), ErrorKind::kRetry);
}

}  // namespace
}  // namespace mailpulse::testing
