// KafkaCheckpoints: Stream checkpoints as Kafka consumer-group offsets.
//
// A checkpoint (consumer, shard, seq) is the committed offset of consumer
// group `group_prefix + consumer` on partition `shard` of the topic, with
// offset = seq (the next offset to read, since seq = offset + 1). Commits
// are synchronous: Save returns ok only once the group coordinator
// acknowledged the commit, so it is durable in Kafka. Callers save only after
// their own output is durable (delivery: after the lake objects are stored).
//
// One consumer client per group, created on first use and never subscribed
// (offsets are committed for explicit partitions, no rebalancing).
// Thread-safe; calls for one group are serialized, which keeps its commits
// in order.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/types.h"
#include "stream/kafka/kafka_client.h"

namespace mailpulse {

class KafkaCheckpoints {
 public:
  KafkaCheckpoints(const KafkaUrl& url, std::string topic);

  Status Save(std::string_view consumer, int32_t partition, SequenceNumber seq);
  // NotFound when the group has no committed offset for the partition.
  Result<SequenceNumber> Load(std::string_view consumer, int32_t partition);

 private:
  struct Group {
    std::mutex mu;
    KafkaClient client;
  };
  Result<Group*> GetGroup(std::string_view consumer);

  const KafkaUrl url_;
  const std::string topic_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Group>, std::less<>> groups_;
};

}  // namespace mailpulse
