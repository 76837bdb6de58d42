// The stream registry's kafka:// branch (stream/stream_registry.cc):
// URL -> KafkaStream for a role (docs/kafka.md). Role "events" opens TOPIC
// (checked against partitions=N when set), role "errors" opens
// TOPIC-errors unless the URL sets errors_topic=NAME. read_only needs
// nothing special: a Kafka reader repairs nothing, and the producer stays
// idle without appends.
#pragma once

#include <memory>
#include <string_view>

#include "stream/stream.h"
#include "stream/stream_registry.h"

namespace mailpulse {

Result<std::unique_ptr<Stream>> OpenKafkaStream(std::string_view url,
                                                const StreamOpenOptions& options);

}  // namespace mailpulse
