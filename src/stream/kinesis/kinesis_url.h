// kinesis://STREAM?region=R&endpoint=URL&... : the Kinesis backend's URL
// (docs/kinesis.md). Parsed and validated in one place so a typo fails
// `mailpulse serve` at start with a reason, never at the first webhook.
//
//   region        default AWS_REGION, else AWS_DEFAULT_REGION; required
//   endpoint      scheme://host[:port]; default https://kinesis.<region>.amazonaws.com
//   errors_stream stream of the "errors" role; default STREAM-errors
//   senders       PutRecords requests in flight at once, 1..64 (default 4)
//   retry_deadline_ms  how long an append's failed records are retried
//                 before the append fails with kRetry, 100..600000 (default 10000)
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/retry_policy.h"
#include "storage/s3/credentials.h"
#include "storage/s3/curl_client.h"

namespace mailpulse {

struct KinesisOptions {
  std::string stream;  // the stream this role opens
  std::string region;
  std::string scheme = "https";  // of the endpoint
  std::string host;              // host[:port] of the endpoint
  int senders = 4;
  int64_t retry_deadline_ms = 10'000;
  // Control-plane and read calls (ListShards, GetShardIterator, ...).
  RetryPolicy call_retry{4, 100, 2'000};
  // Backoff between attempts of failed PutRecords records (the deadline, not
  // max_attempts, bounds them).
  RetryPolicy put_backoff{0, 50, 2'000};
  CurlClientOptions http;

  std::string endpoint() const { return scheme + "://" + host; }
};

// role: "events" or "errors" (StreamOpenOptions::role).
Result<KinesisOptions> ParseKinesisUrl(std::string_view url, std::string_view role,
                                       const EnvLookup& env);

// 1..128 of [A-Za-z0-9_.-] (Kinesis' StreamName pattern).
Status ValidateKinesisStreamName(std::string_view name);

}  // namespace mailpulse
