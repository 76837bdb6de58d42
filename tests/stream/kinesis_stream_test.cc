// KinesisStream against an in-process fake Kinesis (fake_kinesis.h): append
// batching limits, partial failures and their retries, the deadline, reading
// back with big sequence numbers, expired iterators, closed shards,
// Describe's lineage and checkpoints. The real-server test is
// tests/integration/kinesis.test.mjs (kinesalite + the AWS SDK).
#include "stream/kinesis/kinesis_stream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "fake_kinesis.h"

namespace mailpulse {
namespace {

using testing::FakeKinesis;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-kinesis-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct AppendOutcome {
  Status status;
  SequenceNumber first, last;
};

class KinesisStreamTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<KinesisStream>> Open(int senders = 1, int64_t deadline_ms = 5'000) {
    KinesisStreamOptions o;
    o.kinesis.stream = "events";
    o.kinesis.region = "us-east-1";
    o.kinesis.scheme = "http";
    o.kinesis.host = "fake";
    o.kinesis.senders = senders;
    o.kinesis.retry_deadline_ms = deadline_ms;
    o.kinesis.put_backoff = RetryPolicy{0, 2, 20};
    o.kinesis.call_retry = RetryPolicy{2, 1, 1};
    o.data_dir = dir_.path();
    o.metrics = &metrics_;
    o.reader.min_call_interval_ms = 0;
    o.reader.sleep = [](int64_t) {};
    auto client =
        std::make_unique<KinesisClient>(o.kinesis, AwsCredentials{"AKID", "secret", "", "test"},
                                        &Clock::System(), fake_.transport(), [](int64_t) {});
    return KinesisStream::Open(o, std::move(client));
  }

  static AppendOutcome AppendSync(Stream& s, std::vector<AppendRecord> records) {
    std::promise<AppendOutcome> p;
    s.Append(ShardId(0), std::move(records),
             [&](const Status& st, SequenceNumber a, SequenceNumber b) {
               p.set_value({st, a, b});
             });
    return p.get_future().get();
  }

  // Every record of every shard, reading each from TRIM_HORIZON to its end.
  std::vector<StreamRecord> ReadAll(Stream& s) {
    std::vector<StreamRecord> out;
    for (const ShardInfo& info : s.Describe()) {
      auto reader = s.OpenReader(info.id, StartPosition::TrimHorizon());
      EXPECT_TRUE(reader.ok());
      for (int i = 0; i < 1000; ++i) {
        auto batch = (*reader)->Read(1000, 1 << 20);
        EXPECT_TRUE(batch.ok()) << batch.status().ToString();
        if (!batch.ok() || batch->empty()) break;
        for (auto& r : *batch) out.push_back(std::move(r));
      }
    }
    return out;
  }

  uint64_t Counter(const std::string& series) {
    std::string text = metrics_.RenderPrometheus();
    size_t at = text.find(series + " ");
    if (at == std::string::npos) return 0;
    return std::stoull(text.substr(at + series.size() + 1));
  }

  TempDir dir_;
  MetricsRegistry metrics_;
  FakeKinesis fake_{"events", 2};
};

TEST_F(KinesisStreamTest, OpenDescribesShards) {
  auto s = Open();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->shard_count(), 2u);
  std::vector<ShardInfo> shards = (*s)->Describe();
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[1].id, ShardId(1));
  EXPECT_EQ(shards[1].name, "shardId-000000000001");
  EXPECT_FALSE(shards[1].closed);
  EXPECT_EQ(shards[0].starting_hash_key, "0");
  EXPECT_EQ(shards[1].ending_hash_key, "340282366920938463463374607431768211455");
  EXPECT_FALSE(shards[0].first_seq.fits_u64());  // 56 digits
}

TEST_F(KinesisStreamTest, MissingStreamIsNotFoundNamingIt) {
  fake_.SetMissing(true);
  auto s = Open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(s.status().message().find("kinesis stream 'events'"), std::string::npos);
}

TEST_F(KinesisStreamTest, RequestsHoldAtMost500Records) {
  auto s = Open(/*senders=*/1);
  ASSERT_TRUE(s.ok());
  std::vector<std::string> keys;
  for (int i = 0; i < 1200; ++i) keys.push_back("msg-" + std::to_string(i));
  std::vector<AppendRecord> recs;
  for (const std::string& k : keys) recs.push_back({k, k, 0});
  AppendOutcome out = AppendSync(**s, recs);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(fake_.put_request_sizes(), (std::vector<size_t>{500, 500, 200}));
  EXPECT_LT(out.first, out.last);
  EXPECT_EQ(fake_.total_records(), 1200u);
  EXPECT_EQ(Counter(R"(mailpulse_kinesis_put_records_requests_total{stream="events"})"), 3u);
  EXPECT_EQ(Counter(R"(mailpulse_kinesis_records_acked_total{stream="events"})"), 1200u);
}

TEST_F(KinesisStreamTest, RequestsHoldAtMost5MiB) {
  auto s = Open(/*senders=*/1);
  ASSERT_TRUE(s.ok());
  const std::string big(1'000'000, 'x');  // + 2-byte key: 5 fit in 5 MiB, 6 do not
  std::vector<AppendRecord> recs(12, AppendRecord{"k1", big, 0});
  AppendOutcome out = AppendSync(**s, recs);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(fake_.put_request_sizes(), (std::vector<size_t>{5, 5, 2}));
  for (uint64_t b : fake_.put_request_bytes()) EXPECT_LE(b, 5u << 20);
}

TEST_F(KinesisStreamTest, TooLargeRecordIsInvalidAndNothingIsSent) {
  auto s = Open();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->max_record_bytes(), 1u << 20);
  const std::string big((1u << 20) - 3, 'x');
  AppendOutcome ok = AppendSync(**s, {AppendRecord{"abc", big, 0}});  // exactly 1 MiB
  EXPECT_TRUE(ok.status.ok()) << ok.status.ToString();
  AppendOutcome bad =
      AppendSync(**s, {AppendRecord{"k", "small", 0}, AppendRecord{"abcd", big, 0}});
  EXPECT_EQ(bad.status.kind(), ErrorKind::kInvalid);
  EXPECT_NE(bad.status.message().find("record 1"), std::string::npos) << bad.status.message();
  AppendOutcome nokey = AppendSync(**s, {AppendRecord{"", "x", 0}});
  EXPECT_EQ(nokey.status.kind(), ErrorKind::kInvalid);
  EXPECT_EQ(fake_.total_records(), 1u);
}

TEST_F(KinesisStreamTest, StreamRecordLimitFromDescribeStreamSummary) {
  fake_.SetMaxRecordKiB(2048);
  auto s = Open();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->max_record_bytes(), 2u << 20);
  AppendOutcome ok = AppendSync(**s, {AppendRecord{"k", std::string(3u << 19, 'y'), 0}});
  EXPECT_TRUE(ok.status.ok()) << ok.status.ToString();
}

TEST_F(KinesisStreamTest, PartialFailuresAreRetriedUntilEveryRecordIsAcknowledged) {
  // Odd keys fail twice (throughput, then internal failure), then succeed.
  fake_.SetRecordFault([](const std::string& key, int attempt) -> std::string {
    if ((key.back() - '0') % 2 == 0 || attempt >= 2) return "";
    return attempt == 0 ? "ProvisionedThroughputExceededException" : "InternalFailure";
  });
  auto s = Open(/*senders=*/2);
  ASSERT_TRUE(s.ok());
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.push_back("m" + std::to_string(i));
  std::vector<std::string> payloads_in;  // the records view these
  for (const std::string& k : keys) payloads_in.push_back("p-" + k);
  std::vector<AppendRecord> recs;
  for (size_t i = 0; i < keys.size(); ++i) recs.push_back({keys[i], payloads_in[i], 0});
  AppendOutcome out = AppendSync(**s, recs);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  std::vector<StreamRecord> all = ReadAll(**s);
  std::multiset<std::string> payloads;
  for (const StreamRecord& r : all) payloads.insert(r.payload);
  EXPECT_EQ(payloads.size(), 100u);
  for (const std::string& k : keys) EXPECT_EQ(payloads.count("p-" + k), 1u) << k;
  const std::string l = R"(stream="events",code=)";
  EXPECT_EQ(Counter("mailpulse_kinesis_failed_records_total{" + l +
                    "\"ProvisionedThroughputExceededException\"}"),
            50u);
  EXPECT_EQ(Counter("mailpulse_kinesis_failed_records_total{" + l + "\"InternalFailure\"}"), 50u);
  EXPECT_EQ(Counter(R"(mailpulse_kinesis_record_retries_total{stream="events"})"), 100u);
}

TEST_F(KinesisStreamTest, WholeRequestFailuresAreRetried) {
  fake_.FailPuts(2, 500, "InternalFailure");
  auto s = Open();
  ASSERT_TRUE(s.ok());
  AppendOutcome out = AppendSync(**s, {AppendRecord{"a", "1", 0}, AppendRecord{"b", "2", 0}});
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(fake_.total_records(), 2u);
}

TEST_F(KinesisStreamTest, UnacknowledgedAtTheDeadlineIsRetryForTheWholeAppend) {
  fake_.SetRecordFault([](const std::string& key, int) -> std::string {
    return key == "stuck" ? "ProvisionedThroughputExceededException" : "";
  });
  auto s = Open(/*senders=*/1, /*deadline_ms=*/200);
  ASSERT_TRUE(s.ok());
  AppendOutcome out =
      AppendSync(**s, {AppendRecord{"fine", "1", 0}, AppendRecord{"stuck", "2", 0}});
  EXPECT_EQ(out.status.kind(), ErrorKind::kRetry);
  EXPECT_NE(out.status.message().find("1 of 2 records not acknowledged"), std::string::npos)
      << out.status.message();
  EXPECT_NE(out.status.message().find("ProvisionedThroughputExceededException"), std::string::npos);
  EXPECT_EQ(Counter(R"(mailpulse_kinesis_appends_failed_total{stream="events"})"), 1u);
}

TEST_F(KinesisStreamTest, NonRetryableRequestFailureFailsTheAppendAsRetry) {
  fake_.FailPuts(1, 400, "AccessDeniedException");
  auto s = Open();
  ASSERT_TRUE(s.ok());
  AppendOutcome out = AppendSync(**s, {AppendRecord{"a", "1", 0}});
  EXPECT_EQ(out.status.kind(), ErrorKind::kRetry);
  EXPECT_NE(out.status.message().find("AccessDeniedException"), std::string::npos);
}

TEST_F(KinesisStreamTest, ConcurrentAppendsAreCoalescedAndEachCallbackRunsOnce) {
  auto s = Open(/*senders=*/1);
  ASSERT_TRUE(s.ok());
  fake_.CloseGate();  // the first request waits until every append is queued
  constexpr int kThreads = 8, kAppends = 50, kRecords = 10;
  std::vector<std::string> keys;
  for (int i = 0; i < kThreads * kAppends * kRecords; ++i) keys.push_back("k" + std::to_string(i));
  std::atomic<int> ok{0}, calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int a = 0; a < kAppends; ++a) {
        std::vector<AppendRecord> recs;
        for (int r = 0; r < kRecords; ++r) {
          const std::string& k = keys[(t * kAppends + a) * kRecords + r];
          recs.push_back({k, k, 0});
        }
        (*s)->Append(ShardId(t % 2), std::move(recs),
                     [&](const Status& st, SequenceNumber, SequenceNumber) {
                       calls++;
                       if (st.ok()) ok++;
                     });
      }
    });
  }
  for (auto& t : threads) t.join();
  fake_.OpenGate();
  (*s)->Close();  // waits for the requests in flight
  EXPECT_EQ(calls.load(), kThreads * kAppends);
  EXPECT_EQ(ok.load(), kThreads * kAppends);
  EXPECT_EQ(fake_.total_records(), keys.size());
  // One request was taken before the gate closed on it; the other 3999+
  // records ride full requests.
  std::vector<size_t> sizes = fake_.put_request_sizes();
  EXPECT_LE(sizes.size(), 1u + (keys.size() + 499) / 500);
}

TEST_F(KinesisStreamTest, ReadsBackBigSequenceNumbersInOrder) {
  auto s = Open();
  ASSERT_TRUE(s.ok());
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) keys.push_back("key-" + std::to_string(i));
  std::vector<std::string> payloads;  // the records view these
  for (const std::string& k : keys) payloads.push_back("{\"n\":\"" + k + "\"}");
  std::vector<AppendRecord> recs;
  for (size_t i = 0; i < keys.size(); ++i) recs.push_back({keys[i], payloads[i], 0});
  ASSERT_TRUE(AppendSync(**s, recs).status.ok());
  size_t total = 0;
  for (const ShardInfo& info : (*s)->Describe()) {
    auto reader = (*s)->OpenReader(info.id, StartPosition::TrimHorizon());
    ASSERT_TRUE(reader.ok());
    auto batch = (*reader)->Read(1000, 1 << 20);
    ASSERT_TRUE(batch.ok());
    for (size_t i = 0; i < batch->size(); ++i) {
      const StreamRecord& r = (*batch)[i];
      EXPECT_FALSE(r.seq.fits_u64());
      EXPECT_EQ(r.seq.ToString().size(), 56u);
      if (i) {
        EXPECT_LT((*batch)[i - 1].seq, r.seq);
      }
      EXPECT_EQ(r.payload, "{\"n\":\"" + r.partition_key + "\"}");
      EXPECT_EQ(ShardForKey(r.partition_key, 2), info.id);
      EXPECT_GT(r.arrival_ms, 1700000000000);
    }
    total += batch->size();
    EXPECT_FALSE((*reader)->at_shard_end());
    auto again = (*reader)->Read(1000, 1 << 20);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->empty());
  }
  EXPECT_EQ(total, 50u);
}

TEST_F(KinesisStreamTest, ReaderStartsAfterACheckpointAndSurvivesExpiredIterators) {
  auto s = Open();
  ASSERT_TRUE(s.ok());
  const std::vector<std::string> digits = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  std::vector<AppendRecord> recs;
  for (const std::string& d : digits) recs.push_back({"same-key", d, 0});
  ASSERT_TRUE(AppendSync(**s, recs).status.ok());
  ShardId shard = ShardForKey("same-key", 2);
  auto reader = (*s)->OpenReader(shard, StartPosition::TrimHorizon());
  auto first = (*reader)->Read(4, 1 << 20);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 4u);
  fake_.ExpireNextGetRecords();
  auto rest = (*reader)->Read(100, 1 << 20);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ASSERT_EQ(rest->size(), 6u);  // no gap, no duplicate
  EXPECT_EQ(rest->front().payload, "4");
  EXPECT_EQ(fake_.iterator_requests().back(),
            "AFTER_SEQUENCE_NUMBER " + first->back().seq.ToString());

  auto after = (*s)->OpenReader(shard, StartPosition::After((*first)[1].seq));
  auto got = (*after)->Read(100, 1 << 20);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 8u);
  EXPECT_EQ(got->front().payload, "2");
  auto at = (*s)->OpenReader(shard, StartPosition::At((*first)[1].seq));
  got = (*at)->Read(100, 1 << 20);
  ASSERT_EQ(got->size(), 9u);
  EXPECT_EQ(got->front().payload, "1");
}

TEST_F(KinesisStreamTest, SplitClosesTheParentAndReadersReachShardEnd) {
  auto s = Open();
  ASSERT_TRUE(s.ok());
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("before-" + std::to_string(i));
  std::vector<AppendRecord> recs;
  for (const std::string& k : keys) recs.push_back({k, k, 0});
  ASSERT_TRUE(AppendSync(**s, recs).status.ok());
  fake_.Split(0);
  std::vector<std::string> later;
  for (int i = 0; i < 40; ++i) later.push_back("after-" + std::to_string(i));
  recs.clear();
  for (const std::string& k : later) recs.push_back({k, k, 0});
  ASSERT_TRUE(AppendSync(**s, recs).status.ok());

  std::vector<ShardInfo> shards = (*s)->Describe();
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_TRUE(shards[0].closed);
  EXPECT_FALSE(shards[1].closed);
  EXPECT_EQ(shards[2].name, "shardId-000000000002");
  EXPECT_EQ(shards[2].parents, (std::vector<ShardId>{ShardId(0)}));
  EXPECT_EQ(shards[3].parents, (std::vector<ShardId>{ShardId(0)}));

  auto reader = (*s)->OpenReader(ShardId(0), StartPosition::TrimHorizon());
  size_t n = 0;
  for (int i = 0; i < 10 && !(*reader)->at_shard_end(); ++i) {
    auto batch = (*reader)->Read(1000, 1 << 20);
    ASSERT_TRUE(batch.ok());
    n += batch->size();
  }
  EXPECT_TRUE((*reader)->at_shard_end());
  auto none = (*reader)->Read(1000, 1 << 20);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // Every record, parents and children, exactly once.
  std::multiset<std::string> seen;
  for (const StreamRecord& r : ReadAll(**s)) seen.insert(r.payload);
  EXPECT_EQ(seen.size(), 80u);
  for (const auto* list : {&keys, &later})
    for (const std::string& k : *list) EXPECT_EQ(seen.count(k), 1u) << k;
  EXPECT_GT(n, 0u);
  // A checkpoint of SHARD_END means nothing is left to read.
  auto done = (*s)->OpenReader(ShardId(0), StartPosition::After(SequenceNumber::ShardEnd()));
  EXPECT_TRUE((*done)->at_shard_end());
}

TEST_F(KinesisStreamTest, CheckpointsKeepBigNumbersAndShardEndLocally) {
  auto s = Open();
  ASSERT_TRUE(s.ok());
  auto big =
      SequenceNumber::FromDecimal("49546986683135544286507457936321625675700192471156785154");
  ASSERT_TRUE(big.has_value());
  ASSERT_TRUE((*s)->SaveCheckpoint("delivery", ShardId(1), *big).ok());
  ASSERT_TRUE((*s)->SaveCheckpoint("delivery", ShardId(0), SequenceNumber::ShardEnd()).ok());
  EXPECT_EQ((*s)->LoadCheckpoint("delivery", ShardId(1)).value(), *big);
  EXPECT_TRUE((*s)->LoadCheckpoint("delivery", ShardId(0)).value().is_shard_end());
  EXPECT_EQ((*s)->LoadCheckpoint("analytics", ShardId(0)).status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/checkpoints/kinesis-events/delivery"));
}

TEST_F(KinesisStreamTest, AppendsAfterCloseFailWithRetry) {
  auto s = Open();
  ASSERT_TRUE(s.ok());
  (*s)->Close();
  AppendOutcome out = AppendSync(**s, {AppendRecord{"a", "1", 0}});
  EXPECT_EQ(out.status.kind(), ErrorKind::kRetry);
}

TEST_F(KinesisStreamTest, CloseFailsRecordsStillWaitingForARetryExactlyOnce) {
  fake_.SetRecordFault([](const std::string&, int) -> std::string { return "InternalFailure"; });
  auto s = Open(/*senders=*/2, /*deadline_ms=*/60'000);
  ASSERT_TRUE(s.ok());
  std::atomic<int> calls{0};
  Status got;
  (*s)->Append(ShardId(0), {AppendRecord{"a", "1", 0}, AppendRecord{"b", "2", 0}},
               [&](const Status& st, SequenceNumber, SequenceNumber) {
                 calls++;
                 got = st;
               });
  (*s)->Close();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(got.kind(), ErrorKind::kRetry);
  EXPECT_EQ(fake_.total_records(), 0u);
}

TEST(KinesisReaderPacing, AtMostFiveGetRecordsCallsPerSecondPerShard) {
  FakeKinesis fake("events", 1);
  KinesisOptions ko;
  ko.stream = "events";
  ko.region = "us-east-1";
  ko.scheme = "http";
  ko.host = "fake";
  KinesisClient client(ko, AwsCredentials{"AKID", "secret", "", "test"}, &Clock::System(),
                       fake.transport(), [](int64_t) {});
  KinesisProbe probe(nullptr, "events");
  std::vector<int64_t> sleeps;
  KinesisReaderOptions ro;
  ro.sleep = [&](int64_t ms) { sleeps.push_back(ms); };
  KinesisReader reader(&client, &probe, "events", "shardId-000000000000",
                       StartPosition::TrimHorizon(), ro);
  ASSERT_TRUE(reader.Read(10, 1 << 20).ok());
  EXPECT_TRUE(sleeps.empty());  // the first call does not wait
  ASSERT_TRUE(reader.Read(10, 1 << 20).ok());
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GT(sleeps[0], 0);
  EXPECT_LE(sleeps[0], 201);
  EXPECT_EQ(fake.get_records_calls(), 2);
}

}  // namespace
}  // namespace mailpulse
