// KafkaReader: a StreamReader over one partition, through its own consumer
// client assigned to that partition only (manual assign: no group
// membership, no rebalancing, no automatic commits; checkpoints are
// KafkaCheckpoints' business).
//
// Read returns what the client has fetched, waiting at most read_wait_ms
// when nothing is buffered, so a caller polling several readers in turn is
// never held up long by an idle partition. Not thread-safe: one per
// consumer thread.
#pragma once

#include <optional>
#include <string>

#include "stream/kafka/kafka_client.h"
#include "stream/stream.h"

namespace mailpulse {

class KafkaReader final : public StreamReader {
 public:
  static Result<std::unique_ptr<KafkaReader>> Open(const KafkaUrl& url, const std::string& topic,
                                                   int32_t partition, StartPosition start);

  Result<std::vector<StreamRecord>> Read(size_t max_records, size_t max_bytes) override;

 private:
  KafkaReader(const KafkaUrl& url, KafkaClient client, std::string topic, int32_t partition);

  const KafkaUrl url_;
  KafkaClient client_;
  const std::string topic_;
  const int32_t partition_;
  std::optional<StreamRecord> held_;  // fetched but over the last call's byte budget
};

// The first offset a reader starting at `start` reads. Asks the brokers for
// kLatest (the high watermark now) and kAtTimestamp (offsets_for_times).
Result<int64_t> KafkaStartOffset(rd_kafka_t* rk, const KafkaUrl& url, const std::string& topic,
                                 int32_t partition, StartPosition start);

}  // namespace mailpulse
