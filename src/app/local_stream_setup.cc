#include "app/local_stream_setup.h"

#include "stream/local/local_stream.h"

namespace mailpulse {

Result<LocalStreams> OpenLocalStreams(const Config& c, const std::filesystem::path& data_dir,
                                      MetricsRegistry* metrics) {
  LocalStreamOptions so;
  so.dir = (data_dir / "stream").string();
  so.shards = static_cast<uint32_t>(c.GetInt("shards"));
  so.segment_bytes = static_cast<uint64_t>(c.GetInt("segment_size"));
  so.retention_seconds = c.GetInt("retention");
  so.retention_bytes_per_shard = static_cast<uint64_t>(c.GetInt("retention_bytes"));
  so.disk_budget_bytes = static_cast<uint64_t>(c.GetInt("disk_budget"));
  so.compression_level = static_cast<int>(c.GetInt("compression_level"));
  so.metrics = metrics;
  so.metrics_name = "events";
  LocalStreams out;
  MP_ASSIGN_OR_RETURN(out.events, LocalStream::Open(so));

  LocalStreamOptions eo = so;
  eo.dir = (data_dir / "errors").string();
  eo.shards = 1;
  eo.metrics_name = "errors";
  MP_ASSIGN_OR_RETURN(out.errors, LocalStream::Open(eo));
  return out;
}

}  // namespace mailpulse
