#include "stream/stream_registry.h"

#include "stream/kinesis/kinesis_open.h"
#include "stream/kafka/kafka_open.h"

namespace mailpulse {

bool IsEmbeddedStream(std::string_view url) { return url.empty() || url == "local"; }

StreamOpenOptions StreamOptionsFromConfig(const Config& c, std::string role) {
  StreamOpenOptions o;
  o.data_dir = c.GetString("data_dir");
  o.role = std::move(role);
  o.local.shards = static_cast<uint32_t>(c.GetInt("shards"));
  o.local.segment_bytes = static_cast<uint64_t>(c.GetInt("segment_size"));
  o.local.retention_seconds = c.GetInt("retention");
  o.local.retention_bytes_per_shard = static_cast<uint64_t>(c.GetInt("retention_bytes"));
  o.local.disk_budget_bytes = static_cast<uint64_t>(c.GetInt("disk_budget"));
  o.local.compression_level = static_cast<int>(c.GetInt("compression_level"));
  return o;
}

Result<std::unique_ptr<Stream>> OpenStream(std::string_view url, const StreamOpenOptions& o) {
  if (o.role != "events" && o.role != "errors")
    return Status::Invalid("stream role must be events or errors, not '" + o.role + "'");
  if (IsEmbeddedStream(url)) {
    LocalStreamOptions lo = o.local;
    lo.dir = o.data_dir + (o.role == "events" ? "/stream" : "/errors");
    if (o.role == "errors") lo.shards = 1;
    lo.read_only = o.read_only;
    lo.metrics = o.metrics;
    lo.metrics_name = o.role;
    MP_ASSIGN_OR_RETURN(std::unique_ptr<LocalStream> s, LocalStream::Open(lo));
    return std::unique_ptr<Stream>(std::move(s));
  }
  if (url.starts_with("kinesis://")) return OpenKinesisStream(url, o);
  if (url.starts_with("kafka://")) return OpenKafkaStream(url, o);
  return Status::Invalid("unknown stream URL '" + std::string(url) +
                         "': use local (the embedded log, default), kinesis://STREAM?region=... "
                         "or kafka://BROKERS/TOPIC");
}

}  // namespace mailpulse
