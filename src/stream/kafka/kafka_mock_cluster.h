// KafkaMockCluster: librdkafka's built-in mock Kafka cluster (brokers on
// real loopback TCP sockets, in this process), for tests and for the
// `mailpulse kafka-mock` subcommand that lets other processes use it.
//
// Not a performance reference and not a full broker: it keeps records in
// memory, does not support the Admin API (topics are made with
// CreateTopic) and a broker taken down does not move partition leadership.
// Thread-safe as librdkafka's mock API is; destroying it closes the brokers.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "stream/kafka/kafka_client.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace mailpulse {

class KafkaMockCluster {
 public:
  static Result<std::unique_ptr<KafkaMockCluster>> Start(int brokers);
  ~KafkaMockCluster();

  // "127.0.0.1:port,127.0.0.1:port,..."
  std::string bootstraps() const;
  int brokers() const { return brokers_; }
  // Partition p's leader is broker p % brokers() + 1 (the mock would pick
  // at random), so tests know which partitions a downed broker takes along.
  Status CreateTopic(const std::string& topic, int partitions);
  // Broker ids are 1..brokers().
  Status SetBrokerDown(int broker_id);
  Status SetBrokerUp(int broker_id);
  // The next `count` requests of protocol API `api_key` (0 = Produce) fail
  // with `err`.
  void PushRequestErrors(int16_t api_key, int count, rd_kafka_resp_err_t err);
  // The next request of `api_key` to broker `broker_id` is answered
  // `rtt_ms` late with `err` (0: processed normally, only late), e.g. to make
  // a client time out a Produce the broker did store.
  Status PushBrokerRequestDelay(int broker_id, int16_t api_key, rd_kafka_resp_err_t err,
                                int rtt_ms);
  rd_kafka_mock_cluster_t* raw() const { return cluster_; }

 private:
  KafkaMockCluster() = default;
  KafkaClient handle_;  // librdkafka hosts the mock cluster on a client instance
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  int brokers_ = 0;
};

}  // namespace mailpulse
