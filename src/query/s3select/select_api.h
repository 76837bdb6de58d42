// S3SelectApi: Amazon S3's SelectObjectContent on the wire, so existing S3
// Select clients (AWS SDKs, the CLI) can query the lake's objects
// (docs/query.md, "S3 Select on the wire"):
//
//   POST /{bucket}/{key}?select&select-type=2      XML body (select_request.h)
//   200, body = event stream (event_stream.h): Records..., Stats, End
//
// One object per request, as S3 does; the bucket name is not checked (the
// lake is the only bucket). Errors known before the first byte are S3's XML
// error documents with their HTTP status (400 for a bad request or SQL,
// 404 NoSuchKey); errors while records stream are an error event, after
// which no End follows. Records are sent as produced (background_stream.h),
// split at the SDKs' message size; a Cont keep-alive is not needed because
// records or the end follow within the query's own time limit.
//
// Authentication: with no api_token the endpoint is open, like every other
// mailpulse API without one. With an api_token, requests must carry a valid
// AWS SigV4 signature made with the api_token as the secret key (any access
// key id): storage/s3/sigv4_verify.h. Failures are S3's AccessDenied,
// SignatureDoesNotMatch, RequestTimeTooSkewed, ... (403; malformed: 400).
//
// Ownership: the store must outlive the API; the destructor cancels running
// requests and waits for them. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "http/background_stream.h"
#include "http/router.h"
#include "query/executor.h"
#include "storage/object_store.h"

namespace mailpulse {

struct S3SelectApiOptions {
  std::string api_token;
  query::QueryLimits limits;
  BackgroundStreamOptions streaming;
};

class S3SelectApi {
 public:
  S3SelectApi(S3SelectApiOptions options, ObjectStore* lake);
  ~S3SelectApi();
  // POST /{path+}: a fallback route, so it never shadows another API.
  void Register(Router& router);

 private:
  void Handle(HttpRequest req, Responder respond);

  S3SelectApiOptions opt_;
  ObjectStore* lake_;
  std::unique_ptr<RouteHandler> route_;
  BackgroundStreams streams_;  // last: destroyed (and joined) first
};

}  // namespace mailpulse
