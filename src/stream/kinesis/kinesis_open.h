// The stream registry's kinesis:// branch (stream/stream_registry.cc):
// URL -> KinesisStream for a role, with credentials from the environment or
// ~/.aws (storage/s3/credentials.h). Role "events" opens STREAM, role
// "errors" opens STREAM-errors unless the URL sets errors_stream=NAME.
#pragma once

#include <memory>
#include <string_view>

#include "stream/stream.h"
#include "stream/stream_registry.h"

namespace mailpulse {

Result<std::unique_ptr<Stream>> OpenKinesisStream(std::string_view url,
                                                  const StreamOpenOptions& options);

}  // namespace mailpulse
