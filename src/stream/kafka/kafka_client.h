// Owning handles for librdkafka clients and the one place where librdkafka
// errors become Status values (what the caller should do: retry, fix the
// input, or nothing is there).
//
// Each KafkaStream owns one producer, one consumer per reader and one per
// checkpoint consumer group; all are built by NewKafkaClient from the
// stream's KafkaUrl so every client shares the same bootstrap servers,
// timeouts and `rdkafka.*` overrides.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "stream/kafka/kafka_url.h"

namespace mailpulse {

struct KafkaClientDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using KafkaClient = std::unique_ptr<rd_kafka_t, KafkaClientDeleter>;

struct KafkaPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using KafkaPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaPartitionListDeleter>;

struct KafkaQueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using KafkaQueue = std::unique_ptr<rd_kafka_queue_t, KafkaQueueDeleter>;

struct KafkaEventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using KafkaEvent = std::unique_ptr<rd_kafka_event_t, KafkaEventDeleter>;

// `extra` is applied after the URL's settings and before its `rdkafka.*`
// overrides. For a producer, `setup` may install callbacks on the conf.
Result<KafkaClient> NewKafkaClient(rd_kafka_type_t type, const KafkaUrl& url,
                                   const std::map<std::string, std::string>& extra,
                                   void (*setup)(rd_kafka_conf_t*, void*) = nullptr,
                                   void* setup_arg = nullptr);

// kInvalid for unknown topics/partitions and bad configuration, kForbidden
// for authorization failures, kFail for a fatal client error, kRetry for
// everything else (brokers down, timeouts, leader changes).
Status KafkaStatus(rd_kafka_resp_err_t err, const std::string& context);

}  // namespace mailpulse
