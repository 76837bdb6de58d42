#include "stream/kinesis/kinesis_open.h"

#include "storage/s3/credentials.h"
#include "stream/kinesis/kinesis_stream.h"

namespace mailpulse {

Result<std::unique_ptr<Stream>> OpenKinesisStream(std::string_view url,
                                                  const StreamOpenOptions& options) {
  EnvLookup env = ProcessEnv();
  MP_ASSIGN_OR_RETURN(KinesisOptions ko, ParseKinesisUrl(url, options.role, env));
  MP_ASSIGN_OR_RETURN(AwsCredentials creds, LoadAwsCredentials(env));
  KinesisStreamOptions so;
  so.kinesis = ko;
  so.data_dir = options.data_dir;
  so.read_only = options.read_only;
  so.metrics = options.metrics;
  auto client = std::make_unique<KinesisClient>(ko, std::move(creds));
  MP_ASSIGN_OR_RETURN(std::unique_ptr<KinesisStream> s, KinesisStream::Open(so, std::move(client)));
  return std::unique_ptr<Stream>(std::move(s));
}

}  // namespace mailpulse
