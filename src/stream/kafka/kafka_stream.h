// KafkaStream: the Stream interface over one Apache Kafka topic, through
// librdkafka (docs/kafka.md). Shard i is partition i.
//
// Appends: one idempotent producer (enable.idempotence, acks=all) per
// stream. Each record goes to the partition the caller chose (ingest picks
// it with ShardForKey, the MD5 range mapping, not Kafka's murmur2
// partitioner, so that a message's events share a partition exactly as they
// share a Kinesis shard); the key is the record's partition key. An
// append's callback runs once, on the poll thread (or on the calling thread
// when the records could not even be queued): ok only after the broker
// acknowledged every record of the call, otherwise kRetry. A record that is
// acknowledged in a failed call is still in the topic; downstream dedupe by
// sg_event_id removes it when SendGrid retries.
//
// Sequence numbers are Kafka offsets + 1, so 0 keeps meaning "none".
// Checkpoints are the committed offsets of consumer group
// `group_prefix + consumer` (commit offset = seq: the next offset to read).
//
// Threads: Open starts one poll thread (delivery reports); Close (or the
// destructor) completes or fails every pending append and joins it. All
// methods are thread-safe. Readers own their own consumer client and may
// outlive nothing: destroy them before the stream.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "stream/kafka/kafka_checkpoints.h"
#include "stream/kafka/kafka_client.h"
#include "stream/kafka/kafka_url.h"
#include "stream/stream.h"

namespace mailpulse {

struct KafkaStreamOptions {
  KafkaUrl url;
  std::string topic;                 // url.topic or url.errors_topic
  uint32_t expected_partitions = 0;  // 0 = any
  MetricsRegistry* metrics = nullptr;
  std::string metrics_name = "events";  // the stream="..." label, as the embedded log's
};

class KafkaStream final : public Stream {
 public:
  // Connects, reads the topic's partition count from the brokers' metadata
  // and starts the poll thread. The topic must exist: kInvalid (with the
  // command that creates it) when it does not, or when expected_partitions
  // is set and differs. kRetry when no broker answers within
  // request_timeout_ms.
  static Result<std::unique_ptr<KafkaStream>> Open(const KafkaStreamOptions& options);
  ~KafkaStream() override;

  uint32_t shard_count() const override { return partitions_; }
  void Append(ShardId shard, std::vector<AppendRecord> records, AppendCallback done) override;
  Result<std::unique_ptr<StreamReader>> OpenReader(ShardId shard, StartPosition start) override;
  Status SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) override;
  Result<SequenceNumber> LoadCheckpoint(std::string_view consumer, ShardId shard) override;
  std::vector<ShardInfo> Describe() override;
  void Close() override;

  const std::string& topic() const { return topic_; }

 private:
  struct PendingAppend;
  explicit KafkaStream(const KafkaStreamOptions& options);
  Status Init(uint32_t expected_partitions);
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void RecordDone(PendingAppend* p, const Status& st, int64_t offset);
  void PollLoop();

  const KafkaStreamOptions opt_;
  const KafkaUrl& url_ = opt_.url;
  const std::string& topic_ = opt_.topic;
  // Same names as the embedded log's (stream="events"|"errors"); null without metrics.
  Histogram* append_seconds_ = nullptr;
  Counter* records_ = nullptr;
  Counter* append_failures_ = nullptr;
  uint32_t partitions_ = 0;
  KafkaClient producer_;
  rd_kafka_topic_t* rkt_ = nullptr;
  std::unique_ptr<std::mutex[]>
      partition_mu_;  // one per partition: a call's records queue together
  std::unique_ptr<KafkaCheckpoints> checkpoints_;
  std::thread poller_;
  std::atomic<bool> stop_polling_{false};
  std::shared_mutex close_mu_;  // Append holds it shared; Close exclusive
  bool closed_ = false;
  std::mutex describe_mu_;
  std::vector<ShardInfo> last_info_;  // last known watermarks, kept when a query fails
};

}  // namespace mailpulse
