// Stream registry: a stream URL to a Stream backend.
//
//   "" or "local"                 the embedded log under DATA_DIR (stream/local/)
//   kinesis://STREAM?region=...   Amazon Kinesis Data Streams (stream/kinesis/)
//   kafka://BROKERS/TOPIC         Apache Kafka (stream/kafka/)
//
// A server opens two streams: role "events" (accepted events) and role
// "errors" (rejected events with their reason, delivered under the lake's
// error prefix). The embedded log keeps them in DATA_DIR/stream and
// DATA_DIR/errors; remote backends use the URL's stream or topic for events
// and `<name>-errors` for errors unless their URL says otherwise.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/metrics.h"
#include "stream/local/local_stream.h"
#include "stream/stream.h"

namespace mailpulse {

struct StreamOpenOptions {
  std::string data_dir;
  std::string role = "events";  // "events" or "errors"
  // No writer threads, no repair (tools next to a running server).
  bool read_only = false;
  // The embedded log's settings (dir and metrics_name are set from role).
  LocalStreamOptions local;
  MetricsRegistry* metrics = nullptr;
};

// kInvalid for an unknown scheme or a malformed URL, naming the problem.
Result<std::unique_ptr<Stream>> OpenStream(std::string_view url, const StreamOpenOptions& options);

// The options every command derives from the configuration (data_dir,
// shards, segment_size, retention, retention_bytes, disk_budget,
// compression_level).
StreamOpenOptions StreamOptionsFromConfig(const Config& config, std::string role);

// True for "" and "local".
bool IsEmbeddedStream(std::string_view url);

}  // namespace mailpulse
