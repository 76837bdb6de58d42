#include "stream/kafka/kafka_checkpoints.h"

#include <chrono>

namespace mailpulse {

KafkaCheckpoints::KafkaCheckpoints(const KafkaUrl& url, std::string topic)
    : url_(url), topic_(std::move(topic)) {}

Result<KafkaCheckpoints::Group*> KafkaCheckpoints::GetGroup(std::string_view consumer) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(consumer);
  if (it != groups_.end()) return it->second.get();
  if (consumer.empty()) return Status::Invalid("empty checkpoint consumer name");
  MP_ASSIGN_OR_RETURN(KafkaClient client,
                      NewKafkaClient(RD_KAFKA_CONSUMER, url_,
                                     {{"group.id", url_.group_prefix + std::string(consumer)},
                                      {"enable.auto.commit", "false"},
                                      {"enable.auto.offset.store", "false"}}));
  auto g = std::make_unique<Group>();
  g->client = std::move(client);
  Group* raw = g.get();
  groups_.emplace(std::string(consumer), std::move(g));
  return raw;
}

Status KafkaCheckpoints::Save(std::string_view consumer, int32_t partition, SequenceNumber seq) {
  if (!seq.fits_u64() || seq.u64() > static_cast<uint64_t>(INT64_MAX)) {
    return Status::Invalid("kafka checkpoint " + seq.ToString() +
                           ": not an offset (kafka partitions never end)");
  }
  MP_ASSIGN_OR_RETURN(Group * g, GetGroup(consumer));
  std::lock_guard lock(g->mu);
  rd_kafka_t* rk = g->client.get();
  rd_kafka_poll(rk, 0);  // serve logs and error events of this client
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset =
      static_cast<int64_t>(seq.u64());
  // rd_kafka_commit has no timeout; commit through our own queue and wait
  // for its result with one.
  KafkaQueue queue(rd_kafka_queue_new(rk));
  const std::string what = "commit " + url_.group_prefix + std::string(consumer) + " " + topic_ +
                           "[" + std::to_string(partition) + "]";
  rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk, list.get(), queue.get(), nullptr, nullptr);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, what);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(url_.request_timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return KafkaStatus(RD_KAFKA_RESP_ERR__TIMED_OUT, what);
    KafkaEvent ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(left)));
    if (!ev || rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT) continue;
    MP_RETURN_IF_ERROR(KafkaStatus(rd_kafka_event_error(ev.get()), what));
    const rd_kafka_topic_partition_list_t* done = rd_kafka_event_topic_partition_list(ev.get());
    for (int i = 0; done != nullptr && i < done->cnt; ++i) {
      MP_RETURN_IF_ERROR(KafkaStatus(done->elems[i].err, what));
    }
    return Status::Ok();
  }
}

Result<SequenceNumber> KafkaCheckpoints::Load(std::string_view consumer, int32_t partition) {
  MP_ASSIGN_OR_RETURN(Group * g, GetGroup(consumer));
  std::lock_guard lock(g->mu);
  rd_kafka_t* rk = g->client.get();
  rd_kafka_poll(rk, 0);
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_t* tp =
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition);
  const std::string what = "committed offset of " + url_.group_prefix + std::string(consumer) +
                           " " + topic_ + "[" + std::to_string(partition) + "]";
  MP_RETURN_IF_ERROR(
      KafkaStatus(rd_kafka_committed(rk, list.get(), url_.request_timeout_ms), what));
  MP_RETURN_IF_ERROR(KafkaStatus(tp->err, what));
  if (tp->offset < 0) return Status::NotFound("no " + what);
  return SequenceNumber(static_cast<uint64_t>(tp->offset));
}

}  // namespace mailpulse
