#include "app/webhook_setup.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include "common/clock.h"
#include "event/webhook_body.h"

namespace mailpulse {
namespace {

Result<std::vector<WebhookEndpoint>> BuildEndpoints(const Config& c) {
  std::vector<WebhookEndpoint> out;
  bool allow_unsigned = c.GetBool("allow_unsigned");
  auto add = [&](std::string name, const std::string& key) -> Status {
    WebhookEndpoint ep;
    ep.name = std::move(name);
    if (!key.empty()) {
      auto v = SignatureVerifier::FromBase64Key(key);
      if (!v.ok())
        return Status::Invalid("public key of webhook '" + ep.name + "': " + v.status().message());
      ep.verifier = std::move(v).value();
    }
    out.push_back(std::move(ep));
    return Status::Ok();
  };
  const std::string& default_key = c.GetString("sendgrid_public_key");
  if (!default_key.empty() || allow_unsigned) MP_RETURN_IF_ERROR(add("default", default_key));
  for (const std::string& entry : c.GetList("webhook_keys")) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Invalid("webhook_keys entry must be NAME=BASE64_KEY, got '" + entry + "'");
    }
    std::string name = entry.substr(0, eq);
    for (char ch : name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') {
        return Status::Invalid("webhook name '" + name +
                               "' may only hold letters, digits, '-' and '_'");
      }
    }
    MP_RETURN_IF_ERROR(add(name, entry.substr(eq + 1)));
  }
  if (out.empty()) {
    return Status::Invalid(
        "no webhook key configured: set --sendgrid-public-key (SendGrid: Settings > Mail Settings "
        "> "
        "Signed Event Webhook) or --webhook-keys NAME=KEY, or pass --allow-unsigned for local "
        "testing");
  }
  return out;
}

// Refills each shard's dedupe index from the records still inside the window.
Status RebuildDedupe(Stream& stream, std::vector<std::unique_ptr<DedupeIndex>>& dedupe,
                     UnixMillis now, int64_t window_ms) {
  uint64_t total = 0;
  WebhookBodyParser parser;
  BodyElement el;
  for (uint32_t s = 0; s < stream.shard_count(); ++s) {
    MP_ASSIGN_OR_RETURN(auto reader,
                        stream.OpenReader(ShardId(s), StartPosition::AtTimestamp(now - window_ms)));
    for (;;) {
      MP_ASSIGN_OR_RETURN(auto batch, reader->Read(4096, 16 << 20));
      if (batch.empty()) break;
      for (const StreamRecord& r : batch) {
        Status st = parser.ParseOne(r.payload, r.arrival_ms, &el);
        if (!st.ok() || el.reject_reason) {
          spdlog::warn("dedupe rebuild: shard {} seq {}: {}", s, r.seq.ToString(),
                       st.ok() ? *el.reject_reason : st.message());
          continue;
        }
        dedupe[s]->InsertDurable(DedupeKey(el.fields), r.arrival_ms);
        ++total;
      }
    }
  }
  spdlog::info("dedupe index rebuilt from the stream: {} events of the last {} s", total,
               window_ms / 1000);
  return Status::Ok();
}

}  // namespace

Result<WebhookSettings> WebhookSettingsFromConfig(const Config& c) {
  MP_ASSIGN_OR_RETURN(std::vector<WebhookEndpoint> endpoints, BuildEndpoints(c));
  MP_ASSIGN_OR_RETURN(WebhookAuth auth,
                      WebhookAuth::Create(c.GetString("basic_auth"), c.GetList("bearer_tokens")));
  if (c.GetBool("allow_unsigned")) {
    spdlog::warn(
        "--allow-unsigned: requests without a SendGrid signature are accepted; use only for local "
        "testing");
  }
  WebhookHandlerOptions handler;
  handler.allow_unsigned = c.GetBool("allow_unsigned");
  handler.signature_max_age_seconds = c.GetInt("signature_max_age");
  DedupeOptions dedupe;
  dedupe.window_ms = c.GetInt("dedupe_window") * 1000;
  dedupe.memory_budget_bytes = static_cast<size_t>(c.GetInt("dedupe_memory"));
  return WebhookSettings{std::move(endpoints), std::move(auth), handler, dedupe};
}

Result<std::unique_ptr<WebhookStage>> WebhookStage::Create(WebhookSettings settings, Stream* events,
                                                           Stream* errors,
                                                           MetricsRegistry* metrics,
                                                           bool rebuild_from_stream) {
  std::unique_ptr<WebhookStage> stage(new WebhookStage());
  DedupeOptions dopts = settings.dedupe;
  dopts.memory_budget_bytes /= events->shard_count();
  for (uint32_t s = 0; s < events->shard_count(); ++s)
    stage->dedupe_.push_back(std::make_unique<DedupeIndex>(dopts));
  if (rebuild_from_stream) {
    MP_RETURN_IF_ERROR(
        RebuildDedupe(*events, stage->dedupe_, Clock::System().NowMillis(), dopts.window_ms));
  }
  Gauge& dedupe_bytes =
      metrics->GetGauge("mailpulse_dedupe_memory_bytes", "Memory held by the dedupe index");
  Gauge& dedupe_entries =
      metrics->GetGauge("mailpulse_dedupe_entries", "Event ids remembered for dedupe");
  Gauge& dedupe_window = metrics->GetGauge(
      "mailpulse_dedupe_window_effective_seconds",
      "Age of the oldest remembered event id (below dedupe_window when the budget evicts)");
  WebhookStage* raw = stage.get();
  metrics->AddRefresher([raw, &dedupe_bytes, &dedupe_entries, &dedupe_window] {
    int64_t bytes = 0, entries = 0, window = INT64_MAX;
    UnixMillis now = Clock::System().NowMillis();
    for (auto& d : raw->dedupe_) {
      bytes += static_cast<int64_t>(d->memory_bytes());
      entries += static_cast<int64_t>(d->entries());
      window = std::min<int64_t>(window, d->effective_window_ms(now));
    }
    dedupe_bytes.Set(bytes);
    dedupe_entries.Set(entries);
    dedupe_window.Set(window == INT64_MAX ? 0 : window / 1000);
  });

  stage->probe_ = std::make_unique<IngestProbe>(*metrics);
  stage->handler_ = std::make_unique<WebhookHandler>(
      settings.handler, std::move(settings.endpoints), std::move(settings.auth), events, errors,
      &stage->dedupe_, &Clock::System(), stage->probe_.get());
  return stage;
}

void WebhookStage::Register(Router& router) {
  router.Add("POST", "/v1/webhooks/sendgrid", handler_.get());
  router.Add("POST", "/v1/webhooks/sendgrid/{name}", handler_.get());
}

}  // namespace mailpulse
