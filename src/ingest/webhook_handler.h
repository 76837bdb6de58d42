// WebhookHandler: POST /v1/webhooks/sendgrid[/{name}] — the Lambda of the
// seed design. Authenticates (basic/bearer, then the SendGrid signature over
// the untouched body bytes), parses the JSON array, validates and enriches
// each event, drops duplicates, appends the rest to the stream and answers
//   200 {"accepted":A,"duplicates":D,"rejected":R}
// only when every accepted event (and every rejected one, kept in the error
// output with its reason) is durable. A duplicate whose first copy is still
// being written waits for that write; if it fails, so does this request
// (503), so a 200 never covers an event that is not on disk.
//
// Refusals: 401/403 credentials or signature, 404 unknown webhook name,
// 400 not a JSON array, 413 too large (HTTP layer), 415 not JSON,
// 503 + Retry-After when the stream cannot take the write.
//
// Thread-safety: Handle runs concurrently on HTTP threads; callbacks come
// from stream threads. Everything shared is either immutable after
// construction or internally locked (DedupeIndex, Stream, metrics).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"
#include "http/router.h"
#include "ingest/auth.h"
#include "ingest/dedupe_index.h"
#include "ingest/ingest_probe.h"
#include "ingest/signature.h"
#include "stream/stream.h"

namespace mailpulse {

struct WebhookEndpoint {
  std::string name;                           // "default" for the unnamed route
  std::optional<SignatureVerifier> verifier;  // nullopt: unsigned endpoint (allow_unsigned)
};

struct WebhookHandlerOptions {
  bool allow_unsigned = false;  // accept requests that carry no signature headers
  int64_t signature_max_age_seconds = 0;
  int retry_after_seconds = 5;
};

class WebhookHandler final : public RouteHandler {
 public:
  // `events`, `errors`, `dedupe` (one per shard of `events`), `clock`, and
  // `probe` must outlive the handler.
  WebhookHandler(WebhookHandlerOptions options, std::vector<WebhookEndpoint> endpoints,
                 WebhookAuth auth, Stream* events, Stream* errors,
                 std::vector<std::unique_ptr<DedupeIndex>>* dedupe, Clock* clock,
                 IngestProbe* probe);

  std::optional<HttpResponse> Precheck(const HttpRequest& req) override;
  void Handle(HttpRequest req, Responder respond) override;

 private:
  const WebhookEndpoint* Find(const HttpRequest& req) const;
  // Auth, content type, and the presence of signature headers.
  std::optional<HttpResponse> CheckHeaders(const HttpRequest& req, const WebhookEndpoint& ep) const;

  WebhookHandlerOptions options_;
  std::map<std::string, WebhookEndpoint, std::less<>> endpoints_;
  WebhookAuth auth_;
  Stream* events_;
  Stream* errors_;
  std::vector<std::unique_ptr<DedupeIndex>>* dedupe_;
  Clock* clock_;
  IngestProbe* probe_;
};

}  // namespace mailpulse
