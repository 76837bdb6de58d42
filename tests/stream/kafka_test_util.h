// Helpers for the Kafka backend's tests: an in-process librdkafka mock
// cluster per test, a stream on it, and reads that wait (a Kafka reader's
// empty Read means "nothing fetched yet", not "caught up").
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "stream/kafka/kafka_mock_cluster.h"
#include "stream/kafka/kafka_stream.h"
#include "stream/kafka/kafka_url.h"

namespace mailpulse::testing {

struct KafkaAppendResult {
  Status status;
  uint64_t first = 0;
  uint64_t last = 0;
};

inline KafkaAppendResult KafkaAppendAndWait(Stream& s, uint32_t shard,
                                            const std::vector<std::string>& payloads,
                                            UnixMillis arrival_ms = 0,
                                            const std::string& key = "k") {
  std::vector<AppendRecord> recs;
  for (const std::string& p : payloads) recs.push_back(AppendRecord{key, p, arrival_ms});
  std::promise<KafkaAppendResult> done;
  s.Append(ShardId(shard), std::move(recs),
           [&](const Status& st, SequenceNumber f, SequenceNumber l) {
             done.set_value(KafkaAppendResult{st, f.u64(), l.u64()});
           });
  return done.get_future().get();
}

// Reads until `want` records arrived or `timeout_ms` passed, then keeps
// reading for `settle_ms` more to catch records beyond `want` (duplicates).
inline std::vector<StreamRecord> ReadRecords(StreamReader& r, size_t want, int timeout_ms = 10000,
                                             int settle_ms = 300) {
  std::vector<StreamRecord> all;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (all.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto got = r.Read(7, 1 << 20);  // odd size exercises resumption
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return all;
    for (auto& rec : *got) all.push_back(std::move(rec));
  }
  auto settle = std::chrono::steady_clock::now() + std::chrono::milliseconds(settle_ms);
  while (std::chrono::steady_clock::now() < settle) {
    auto got = r.Read(100, 1 << 20);
    if (!got.ok()) break;
    for (auto& rec : *got) all.push_back(std::move(rec));
  }
  return all;
}

class KafkaTestBase : public ::testing::Test {
 protected:
  static constexpr const char* kTopic = "events";
  static constexpr uint32_t kPartitions = 4;

  void SetUp() override {
    auto m = KafkaMockCluster::Start(3);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mock_ = std::move(*m);
    ASSERT_TRUE(mock_->CreateTopic(kTopic, kPartitions).ok());
  }
  void TearDown() override {
    stream_.reset();
    mock_.reset();
  }

  std::string Url(const std::string& params = "") const {
    return "kafka://" + mock_->bootstraps() + "/" + kTopic + (params.empty() ? "" : "?" + params);
  }
  KafkaStream& Open(const std::string& params = "request_timeout_ms=3000") {
    stream_.reset();
    auto url = ParseKafkaUrl(Url(params));
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    KafkaStreamOptions o;
    o.url = *url;
    o.topic = kTopic;
    auto s = KafkaStream::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    stream_ = std::move(*s);
    return *stream_;
  }
  std::vector<StreamRecord> ReadPartition(uint32_t p, size_t want,
                                          StartPosition start = StartPosition::TrimHorizon()) {
    auto r = stream_->OpenReader(ShardId(p), start);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    return ReadRecords(**r, want);
  }

  std::unique_ptr<KafkaMockCluster> mock_;
  std::unique_ptr<KafkaStream> stream_;
};

}  // namespace mailpulse::testing
