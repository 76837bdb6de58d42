// VerifySigV4: checks the AWS Signature Version 4 of an incoming request
// (header-based: `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...`) against a secret the server knows. mailpulse uses it where it plays an AWS
// service for existing clients (S3 Select's SelectObjectContent): clients
// sign with any access key id and the server's api_token as the secret key.
//
// The canonical request is rebuilt from the request as received — method,
// path as sent, query, exactly the headers the client says it signed, and the
// payload hash (x-amz-content-sha256 when signed, which must then match the
// body unless it is UNSIGNED-PAYLOAD) — and signed with the same SigV4Signer
// mailpulse's own S3 client uses (sigv4.h), then compared in constant time.
// The request time (x-amz-date) must be within `max_skew_ms` of now, as S3
// demands (RequestTimeTooSkewed), so a captured request cannot be replayed
// later.
//
// Errors are values: kUnauthorized (missing/malformed signature: the S3 code
// to answer is in the message's first word), kForbidden (wrong signature,
// skewed time, body hash mismatch). Pure function; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace mailpulse {

struct SigV4IncomingRequest {
  std::string_view method;
  std::string_view path;                                          // as sent (percent-encoded)
  std::string_view query;                                         // as sent, without '?'
  std::function<std::string_view(std::string_view name)> header;  // case-insensitive; "" if absent
  std::string_view body;
};

Status VerifySigV4(const SigV4IncomingRequest& req, std::string_view secret, UnixMillis now,
                   int64_t max_skew_ms = 15 * 60 * 1000);

}  // namespace mailpulse
