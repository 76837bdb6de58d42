// KafkaReader: a StreamReader over one partition, through its own consumer
// client assigned to that partition only (manual assign: no group
// membership, no rebalancing, no automatic commits; checkpoints are
// KafkaCheckpoints' business).
//
// Read keeps the StreamReader contract "empty means caught up": it returns
// what the client has fetched (waiting at most read_wait_ms when nothing is
// buffered), and returns empty only once the partition's high watermark, as
// the last fetch response reported it, is not beyond the next offset to
// read. Until a first fetch response arrived, or while the fetched
// watermark says records are pending, it waits up to request_timeout_ms and
// then fails with kRetry (the leader does not answer) rather than answer a
// false "caught up". Callers that stop at the first empty Read (dedupe
// rebuild, delivery's replay of an interrupted batch) rely on this. Not
// thread-safe: one per consumer thread.
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
  KafkaReader(const KafkaUrl& url, KafkaClient client, std::string topic, int32_t partition,
              int64_t next_offset);
  // Moves fetched records into `out` while within the limits; the first
  // poll waits `wait_ms`. Non-ok only for a non-transient error with `out` empty.
  Status Collect(std::vector<StreamRecord>& out, size_t& bytes, size_t max_records,
                 size_t max_bytes, int wait_ms);
  bool CaughtUp();

  const KafkaUrl url_;
  KafkaClient client_;
  const std::string topic_;
  const int32_t partition_;
  std::optional<StreamRecord> held_;  // fetched but over the last call's byte budget
  int64_t next_offset_;               // offset of the next record to return
};

// The first offset a reader starting at `start` reads. Asks the brokers for
// kLatest (the high watermark now) and kAtTimestamp (offsets_for_times).
Result<int64_t> KafkaStartOffset(rd_kafka_t* rk, const KafkaUrl& url, const std::string& topic,
                                 int32_t partition, StartPosition start);

}  // namespace mailpulse
