#include "stream/kafka/kafka_client.h"

#include <spdlog/spdlog.h>

namespace mailpulse {
namespace {

// librdkafka logs through spdlog, not to stderr on its own.
void LogToSpdlog(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  const char* name = rd_kafka_name(rk);
  if (level <= 3) {
    spdlog::error("kafka {} {}: {}", name, fac, buf);
  } else if (level <= 4) {
    spdlog::warn("kafka {} {}: {}", name, fac, buf);
  } else if (level <= 6) {
    spdlog::info("kafka {} {}: {}", name, fac, buf);
  } else {
    spdlog::debug("kafka {} {}: {}", name, fac, buf);
  }
}

Status Set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    return Status::Invalid("kafka setting " + key + "=" + value + ": " + err);
  }
  return Status::Ok();
}

}  // namespace

void KafkaClientDeleter::operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }

Result<KafkaClient> NewKafkaClient(rd_kafka_type_t type, const KafkaUrl& url,
                                   const std::map<std::string, std::string>& extra,
                                   void (*setup)(rd_kafka_conf_t*, void*), void* setup_arg) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", url.brokers},
      {"client.id", "mailpulse"},
      {"socket.timeout.ms", std::to_string(std::max(url.request_timeout_ms, 10))},
      // Broker state changes are logged once, not every reconnect attempt.
      {"log.connection.close", "false"},
  };
  for (const auto& [k, v] : extra) settings[k] = v;
  for (const auto& [k, v] : url.rdkafka) settings[k] = v;
  for (const auto& [k, v] : settings) {
    Status st = Set(conf, k, v);
    if (!st.ok()) {
      rd_kafka_conf_destroy(conf);
      return st;
    }
  }
  rd_kafka_conf_set_log_cb(conf, LogToSpdlog);
  if (setup != nullptr) setup(conf, setup_arg);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));  // owns conf on success
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Invalid(std::string("kafka client: ") + err);
  }
  return KafkaClient(rk);
}

Status KafkaStatus(rd_kafka_resp_err_t err, const std::string& context) {
  std::string m = context + ": " + rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Status::Ok();
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_INVALID_GROUP_ID:
      return Status::Invalid(m);
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      return Status::Forbidden(m);
    case RD_KAFKA_RESP_ERR__FATAL:
      return Status::Fail(m);
    default:
      // Brokers down, timeouts, leader elections, throttling: the same call
      // may succeed later. Unknown cases land here too, so that ingest answers
      // 503 and SendGrid retries instead of dropping events.
      return Status::Retry(m);
  }
}

}  // namespace mailpulse
