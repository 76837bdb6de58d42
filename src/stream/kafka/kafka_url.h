// KafkaUrl: the `--stream kafka://host1:9092,host2:9092/topic?key=value&...`
// URL, parsed and validated before any connection is made
// (docs/kafka.md, "URL").
//
// Why a struct and not the raw string: every knob the Kafka backend has is
// here, with its default, so the registry, the stream and the docs agree.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailpulse {

struct KafkaUrl {
  std::string brokers;  // bootstrap.servers: "host:port,host:port"
  std::string topic;    // the events topic
  // Expected partition count; 0 = take whatever the topic has. A topic with a
  // different count is refused (the MD5 shard mapping depends on it).
  uint32_t partitions = 0;
  std::string errors_topic;                 // role "errors"; default "<topic>-errors"
  std::string group_prefix = "mailpulse.";  // consumer group = group_prefix + consumer name
  int linger_ms = 5;                        // producer batching delay
  int delivery_timeout_ms = 10000;          // an append not acknowledged by then fails (kRetry)
  int request_timeout_ms = 5000;  // metadata, commits, committed-offset and watermark queries
  int read_wait_ms = 50;          // longest a Read waits when nothing is buffered (<= 100)
  // Passed verbatim to librdkafka (`rdkafka.security.protocol=SSL` sets
  // security.protocol on every client the stream creates).
  std::map<std::string, std::string> rdkafka;
};

// Parses and validates; kInvalid with a message naming the bad part.
Result<KafkaUrl> ParseKafkaUrl(std::string_view url);

}  // namespace mailpulse
