// S3ObjectStore: ObjectStore on Amazon S3 or any S3-compatible server
// (MinIO, s3rver, ...), speaking the REST API directly: SigV4-signed requests
// over libcurl (http_client.h), no AWS SDK.
//
// Put below multipart_threshold is one PutObject carrying
// x-amz-checksum-sha256 (S3 verifies it and stores it); above, a multipart
// upload of part_size parts, aborted if any step fails. Every request signs
// its payload hash (x-amz-content-sha256), so S3 also rejects a body altered
// in transit. A Put is durable when S3 answers 200 (S3 stores redundantly
// before acknowledging) and atomic (readers never see a partial object).
//
// Each HTTP request is retried on kRetry per options.retry (retry_policy.h);
// a multipart Put retries each part, not the whole object.
//
// Keys are stored under options.prefix; List returns them without it.
// Credentials are fixed at Open (no refresh of temporary credentials yet).
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "storage/object_store.h"
#include "storage/retry_policy.h"
#include "storage/s3/credentials.h"
#include "storage/s3/curl_client.h"
#include "storage/s3/sigv4.h"

namespace mailpulse {

struct S3Options {
  std::string bucket;
  std::string prefix;  // "" or ending in '/'
  std::string region = "us-east-1";
  // scheme://host[:port]; empty = https://s3.<region>.amazonaws.com.
  std::string endpoint;
  // Path-style (endpoint/bucket/key) or virtual-hosted (bucket.endpoint/key).
  bool path_style = false;
  // Real S3 needs parts of at least 5 MiB (except the last); tests may go lower.
  uint64_t multipart_threshold = 16ull << 20;
  uint64_t part_size = 8ull << 20;
  RetryPolicy retry;
  CurlClientOptions http;
};

// s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path_style=true|false
//                      &multipart_threshold=BYTES&part_size=BYTES]
// region defaults to the env's AWS_REGION / AWS_DEFAULT_REGION, else us-east-1;
// path_style defaults to true when an endpoint is given, false otherwise.
Result<S3Options> ParseS3Url(std::string_view url, const EnvLookup& env);

class S3ObjectStore final : public ObjectStore {
 public:
  // clock and sleep are seams for tests; clock must outlive the store.
  static Result<std::unique_ptr<S3ObjectStore>> Open(S3Options options, AwsCredentials credentials,
                                                     const Clock* clock = &Clock::System(),
                                                     SleepFn sleep = RealSleep());

  Status Put(std::string_view key, std::string_view data, const PutOptions& options) override;
  using ObjectStore::Put;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ListPage> List(std::string_view prefix, std::string_view continuation_token,
                        int max_keys) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override;

 private:
  S3ObjectStore(S3Options options, AwsCredentials credentials, const Clock* clock, SleepFn sleep);

  struct Call {
    std::string method;
    std::string key;  // full key (prefix included); "" = the bucket itself
    QueryList query;
    HeaderList headers;
    std::string_view body;
    std::string payload_hash;  // hex; computed from body when empty
    std::string what;          // for messages: "PUT key"
  };
  // One signed request with retries; a non-2xx answer becomes its Status.
  Result<CurlResponse> Execute(Call call);
  Status PutMultipart(const std::string& full_key, std::string_view data,
                      const PutOptions& options);

  S3Options options_;
  SigV4Signer signer_;
  const Clock* clock_;
  SleepFn sleep_;
  CurlClient http_;
  std::string scheme_;  // "https"
  std::string host_;    // endpoint host[:port], without the bucket
};

}  // namespace mailpulse
