#include "stream/kafka/kafka_mock_cluster.h"

#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <vector>

namespace mailpulse {

Result<std::unique_ptr<KafkaMockCluster>> KafkaMockCluster::Start(int brokers) {
  if (brokers < 1 || brokers > 16) return Status::Invalid("mock cluster brokers must be 1..16");
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  // The host client never connects anywhere: silence its "no
  // bootstrap.servers" notice.
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Fail(std::string("kafka mock cluster host client: ") + err);
  }
  std::unique_ptr<KafkaMockCluster> m(new KafkaMockCluster());
  m->handle_.reset(rk);
  m->cluster_ = rd_kafka_mock_cluster_new(rk, brokers);
  if (m->cluster_ == nullptr) return Status::Fail("cannot start the kafka mock cluster");
  m->brokers_ = brokers;
  return m;
}

KafkaMockCluster::~KafkaMockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

std::string KafkaMockCluster::bootstraps() const {
  return rd_kafka_mock_cluster_bootstraps(cluster_);
}

Status KafkaMockCluster::CreateTopic(const std::string& topic, int partitions) {
  if (partitions < 1) return Status::Invalid("partitions must be at least 1");
  MP_RETURN_IF_ERROR(KafkaStatus(
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, std::min(brokers_, 3)),
      "mock cluster: create topic " + topic));
  // The mock picks leaders at random; round-robin makes "broker N down"
  // mean the same partitions in every run (partition p: broker p % n + 1).
  for (int p = 0; p < partitions; ++p) {
    MP_RETURN_IF_ERROR(KafkaStatus(
        rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), p, p % brokers_ + 1),
        "mock cluster: leader of " + topic + "[" + std::to_string(p) + "]"));
  }
  return Status::Ok();
}

Status KafkaMockCluster::SetBrokerDown(int broker_id) {
  if (broker_id < 1 || broker_id > brokers_)
    return Status::Invalid("no broker " + std::to_string(broker_id));
  return KafkaStatus(rd_kafka_mock_broker_set_down(cluster_, broker_id),
                     "mock cluster: broker down");
}

Status KafkaMockCluster::SetBrokerUp(int broker_id) {
  if (broker_id < 1 || broker_id > brokers_)
    return Status::Invalid("no broker " + std::to_string(broker_id));
  return KafkaStatus(rd_kafka_mock_broker_set_up(cluster_, broker_id), "mock cluster: broker up");
}

void KafkaMockCluster::PushRequestErrors(int16_t api_key, int count, rd_kafka_resp_err_t err) {
  std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(std::max(count, 0)), err);
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(), errors.data());
}

Status KafkaMockCluster::PushBrokerRequestDelay(int broker_id, int16_t api_key,
                                                rd_kafka_resp_err_t err, int rtt_ms) {
  return KafkaStatus(
      rd_kafka_mock_broker_push_request_error_rtts(cluster_, broker_id, api_key, 1, err, rtt_ms),
      "mock cluster: delay broker " + std::to_string(broker_id));
}

}  // namespace mailpulse
