// The webhook stage (the seed design's Lambda) built from the configuration:
// one place for `serve` (behind the HTTP server) and `lambda` (behind the
// Lambda Runtime API), so both verify, dedupe and append exactly alike.
//
// Two steps on purpose: WebhookSettingsFromConfig validates keys, webhook
// names and auth before anything is opened (a bad key fails start-up without
// touching the data dir); WebhookStage::Create then needs the open streams
// to rebuild the dedupe index from them.
#pragma once

#include <memory>
#include <vector>

#include "common/config.h"
#include "common/metrics.h"
#include "http/router.h"
#include "ingest/auth.h"
#include "ingest/dedupe_index.h"
#include "ingest/ingest_probe.h"
#include "ingest/webhook_handler.h"
#include "stream/stream.h"

namespace mailpulse {

struct WebhookSettings {
  std::vector<WebhookEndpoint> endpoints;
  WebhookAuth auth;
  WebhookHandlerOptions handler;
  DedupeOptions dedupe;  // memory_budget_bytes: the total over all shards
};

// Invalid on a malformed public key, webhook_keys entry, basic_auth or token,
// or when no key is configured and allow_unsigned is off.
Result<WebhookSettings> WebhookSettingsFromConfig(const Config& c);

// Owns the handler and what it uses besides the streams.
// Thread-safety: as WebhookHandler; Register before the router serves.
class WebhookStage {
 public:
  // With `rebuild_from_stream` (the embedded log, whose only writer this
  // process is), rebuilds each shard's dedupe index from the records of
  // `events` still inside the window; on a remote stream the index starts
  // empty and the consumers dedupe (docs/operations.md). `events`, `errors`
  // and `metrics` must outlive the stage.
  static Result<std::unique_ptr<WebhookStage>> Create(WebhookSettings settings, Stream* events,
                                                      Stream* errors, MetricsRegistry* metrics,
                                                      bool rebuild_from_stream);

  // POST /v1/webhooks/sendgrid and POST /v1/webhooks/sendgrid/{name}.
  void Register(Router& router);

 private:
  WebhookStage() = default;

  std::vector<std::unique_ptr<DedupeIndex>> dedupe_;
  std::unique_ptr<IngestProbe> probe_;
  std::unique_ptr<WebhookHandler> handler_;
};

}  // namespace mailpulse
