// KinesisClient: the five Kinesis Data Streams operations mailpulse uses,
// as AWS JSON 1.1 calls (POST /, X-Amz-Target: Kinesis_20131202.<Op>),
// SigV4-signed (service "kinesis", path normalized) and sent over the
// project's libcurl client (storage/s3/curl_client.h).
//
// Retries: ListShards, DescribeStreamSummary and GetShardIterator are retried
// on kRetry per options.call_retry. PutRecords and GetRecords are not: the
// batcher retries failed records against its own deadline, the reader is
// polled again by its consumer.
//
// The transport is a seam: tests pass a function answering requests in
// process (an in-memory fake Kinesis) and inspect what was signed.
// Thread-safe (the signer is immutable, the transport is thread-safe).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "storage/retry_policy.h"
#include "storage/s3/credentials.h"
#include "storage/s3/curl_client.h"
#include "storage/s3/sigv4.h"
#include "stream/kinesis/kinesis_protocol.h"
#include "stream/kinesis/kinesis_url.h"

namespace mailpulse {

using KinesisTransport = std::function<Result<CurlResponse>(const CurlRequest&)>;

// A signed request; curl.body views `body` (set it again after moving).
struct KinesisHttpRequest {
  CurlRequest curl;
  std::string body;
};

class KinesisClient {
 public:
  // transport empty = a CurlClient of options.http. clock must outlive the client.
  KinesisClient(const KinesisOptions& options, AwsCredentials credentials,
                const Clock* clock = &Clock::System(), KinesisTransport transport = {},
                SleepFn sleep = RealSleep());

  // The signed request for `operation` ("PutRecords") with JSON `body` at `now`.
  KinesisHttpRequest BuildRequest(std::string_view operation, std::string body,
                                  UnixMillis now) const;

  Result<PutRecordsOutput> PutRecords(std::string_view stream,
                                      std::span<const PutRecordsEntry> entries);
  Result<std::string> GetShardIterator(std::string_view stream, std::string_view shard_id,
                                       std::string_view type, std::string_view sequence_number,
                                       UnixMillis timestamp_ms);
  // An expired iterator is an outcome, not an error: *expired is set and the
  // result is an empty output (the caller re-gets the iterator).
  Result<GetRecordsOutput> GetRecords(std::string_view stream, std::string_view iterator, int limit,
                                      bool* expired);
  // Every page (NextToken followed), in the service's order.
  Result<std::vector<KinesisShard>> ListAllShards(std::string_view stream);
  Result<StreamSummary> DescribeStreamSummary(std::string_view stream);

  const std::string& endpoint() const { return endpoint_; }

 private:
  // One signed exchange; *error gets the parsed error of a non-2xx answer.
  Result<std::string> Call(std::string_view operation, std::string body, std::string_view stream,
                           KinesisError* error);
  Result<std::string> CallWithRetries(std::string_view operation, const std::string& body,
                                      std::string_view stream);

  KinesisOptions options_;
  SigV4Signer signer_;
  const Clock* clock_;
  std::unique_ptr<CurlClient> curl_;  // when no transport was given
  KinesisTransport transport_;
  SleepFn sleep_;
  std::string endpoint_;
};

}  // namespace mailpulse
