// Opens the embedded log's two streams from the configuration: the events
// (DATA_DIR/stream, `shards` shards) and the error output (DATA_DIR/errors,
// one shard). One place for `serve` and `lambda`.
#pragma once

#include <filesystem>
#include <memory>

#include "common/config.h"
#include "common/metrics.h"
#include "stream/stream.h"

namespace mailpulse {

struct LocalStreams {
  std::unique_ptr<Stream> events;
  std::unique_ptr<Stream> errors;
};

// `metrics` must outlive the streams. The caller holds the data dir's lock.
Result<LocalStreams> OpenLocalStreams(const Config& c, const std::filesystem::path& data_dir,
                                      MetricsRegistry* metrics);

}  // namespace mailpulse
