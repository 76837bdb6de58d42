#include "app/server_app.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "analytics/analytics_service.h"
#include "analytics/kpi_api.h"
#include "app/analytics_setup.h"
#include "common/dir_lock.h"
#include "delivery/delivery_service.h"
#include "event/event.h"
#include "event/webhook_body.h"
#include "http/http_server.h"
#include "http/router.h"
#include "ingest/auth.h"
#include "ingest/dedupe_index.h"
#include "ingest/dedupe_stream.h"
#include "ingest/ingest_probe.h"
#include "ingest/webhook_handler.h"
#include "query/query_api.h"
#include "query/s3select/select_api.h"
#include "storage/object_store_registry.h"
#include "stream/stream_registry.h"
#include "web/web_assets.h"

namespace mailpulse {

struct ServerApp::Parts {
  std::optional<DirLock> lock;
  MetricsRegistry metrics;
  std::unique_ptr<Stream> events;
  std::unique_ptr<Stream> errors;
  std::unique_ptr<DedupingStream> consumed_events;  // remote streams: what consumers read
  std::unique_ptr<ObjectStore> lake;
  std::unique_ptr<DeliveryService> delivery, error_delivery;
  std::vector<std::unique_ptr<DedupeIndex>> dedupe;
  std::unique_ptr<IngestProbe> probe;
  std::unique_ptr<WebhookHandler> webhook;
  std::unique_ptr<AnalyticsService> analytics;
  std::unique_ptr<KpiApi> kpi_api;
  std::unique_ptr<QueryApi> query_api;  // before lake in destruction: cancels its queries
  std::unique_ptr<S3SelectApi> s3_select;
  std::unique_ptr<WebAssets> web;
  std::unique_ptr<FunctionRoute> healthz, readyz, metrics_route;
  Router router;
  std::unique_ptr<HttpServer> server;
  std::atomic<bool> ready{false};
};

ServerApp::ServerApp(const Config& config) : config_(config), parts_(std::make_unique<Parts>()) {}
ServerApp::~ServerApp() { Stop(); }
MetricsRegistry& ServerApp::metrics() { return parts_->metrics; }
uint16_t ServerApp::port() const { return parts_->server ? parts_->server->port() : 0; }

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

struct Roles {
  bool ingest = false, deliver = false, analytics = false;
};

Result<Roles> ParseRoles(const std::vector<std::string>& names) {
  Roles r;
  for (const std::string& n : names) {
    if (n == "ingest") {
      r.ingest = true;
    } else if (n == "deliver") {
      r.deliver = true;
    } else if (n == "analytics") {
      r.analytics = true;
    } else {
      return Status::Invalid("unknown role '" + n + "' in roles; use ingest, deliver, analytics");
    }
  }
  if (!r.ingest && !r.deliver && !r.analytics) {
    return Status::Invalid("roles is empty; give at least one of ingest, deliver, analytics");
  }
  return r;
}

}  // namespace

Status ServerApp::Start() {
  const Config& c = config_;
  Parts& p = *parts_;
  MP_ASSIGN_OR_RETURN(Roles roles, ParseRoles(c.GetList("roles")));
  std::vector<WebhookEndpoint> endpoints;
  if (roles.ingest) {
    MP_ASSIGN_OR_RETURN(endpoints, BuildEndpoints(c));
  }
  MP_ASSIGN_OR_RETURN(WebhookAuth auth,
                      WebhookAuth::Create(c.GetString("basic_auth"), c.GetList("bearer_tokens")));
  if (roles.ingest && c.GetBool("allow_unsigned")) {
    spdlog::warn(
        "--allow-unsigned: requests without a SendGrid signature are accepted; use only for local "
        "testing");
  }
  std::filesystem::path data_dir = c.GetString("data_dir");
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::Fail("cannot create data dir " + data_dir.string() + ": " + ec.message());
  MP_ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(data_dir.string()));
  p.lock.emplace(std::move(lock));

  StreamOpenOptions so = StreamOptionsFromConfig(c, "events");
  so.metrics = &p.metrics;
  MP_ASSIGN_OR_RETURN(p.events, OpenStream(c.GetString("stream"), so));
  so.role = "errors";
  MP_ASSIGN_OR_RETURN(p.errors, OpenStream(c.GetString("stream"), so));
  // What the consumers read: the stream itself when this process is the
  // only writer (the embedded log; ingest's dedupe covers it), else the
  // stream seen through shard-local dedupe (ingest/dedupe_stream.h).
  Stream* consumed = p.events.get();
  if (!IsEmbeddedStream(c.GetString("stream")) && (roles.deliver || roles.analytics)) {
    DedupeOptions cd;
    cd.window_ms = c.GetInt("dedupe_window") * 1000;
    // One index per reader: delivery and analytics each read every shard.
    cd.memory_budget_bytes = static_cast<size_t>(c.GetInt("dedupe_memory")) /
                             (2 * std::max<uint32_t>(1, p.events->shard_count()));
    p.consumed_events = std::make_unique<DedupingStream>(p.events.get(), cd, &p.metrics);
    consumed = p.consumed_events.get();
  }

  // Delivery (Firehose's role) reads both streams into the lake. Built and
  // started before the HTTP server so a bad lake URL or prefix fails start-up
  // before any webhook is acknowledged; it never blocks on the lake itself
  // (recovery and retries run on its threads), so an S3 outage at start-up
  // only grows the lag while ingest keeps acknowledging.
  // The lake: delivery writes it, POST /v1/query reads it.
  MP_ASSIGN_OR_RETURN(p.lake, OpenObjectStore(c.GetString("lake"), (data_dir / "lake").string()));
  if (roles.deliver) {
    DeliveryOptions dl;
    dl.prefix = c.GetString("lake_prefix");
    dl.error_prefix = c.GetString("lake_error_prefix");
    dl.encoding = c.GetString("lake_encoding");
    dl.compression_level = static_cast<int>(c.GetInt("lake_compression_level"));
    dl.buffer_bytes = static_cast<uint64_t>(c.GetInt("buffer_size"));
    dl.interval_seconds = c.GetInt("flush_interval");
    dl.put_concurrency = static_cast<int>(c.GetInt("lake_put_concurrency"));
    dl.metrics = &p.metrics;
    MP_ASSIGN_OR_RETURN(p.delivery, DeliveryService::Create(dl, consumed, p.lake.get()));
    DeliveryOptions de = dl;
    de.source = "errors";
    de.error_source = true;
    MP_ASSIGN_OR_RETURN(p.error_delivery,
                        DeliveryService::Create(de, p.errors.get(), p.lake.get()));
    p.delivery->Start();
    p.error_delivery->Start();
  }

  if (roles.ingest) {
    DedupeOptions dopts;
    dopts.window_ms = c.GetInt("dedupe_window") * 1000;
    dopts.memory_budget_bytes =
        static_cast<size_t>(c.GetInt("dedupe_memory")) / p.events->shard_count();
    for (uint32_t s = 0; s < p.events->shard_count(); ++s)
      p.dedupe.push_back(std::make_unique<DedupeIndex>(dopts));
    // With the embedded log this node holds every record, so its dedupe
    // index is the exactly-once guarantee and is rebuilt from the log. On a
    // remote stream ingest nodes are stateless (a retry may reach another
    // node): the index only catches retries to this node, and the consumers
    // dedupe shard by shard (docs/operations.md).
    if (IsEmbeddedStream(c.GetString("stream"))) {
      MP_RETURN_IF_ERROR(
          RebuildDedupe(*p.events, p.dedupe, Clock::System().NowMillis(), dopts.window_ms));
    }
    Gauge& dedupe_bytes =
        p.metrics.GetGauge("mailpulse_dedupe_memory_bytes", "Memory held by the dedupe index");
    Gauge& dedupe_entries =
        p.metrics.GetGauge("mailpulse_dedupe_entries", "Event ids remembered for dedupe");
    Gauge& dedupe_window = p.metrics.GetGauge(
        "mailpulse_dedupe_window_effective_seconds",
        "Age of the oldest remembered event id (below dedupe_window when the budget evicts)");
    p.metrics.AddRefresher([&p, &dedupe_bytes, &dedupe_entries, &dedupe_window] {
      int64_t bytes = 0, entries = 0, window = INT64_MAX;
      UnixMillis now = Clock::System().NowMillis();
      for (auto& d : p.dedupe) {
        bytes += static_cast<int64_t>(d->memory_bytes());
        entries += static_cast<int64_t>(d->entries());
        window = std::min<int64_t>(window, d->effective_window_ms(now));
      }
      dedupe_bytes.Set(bytes);
      dedupe_entries.Set(entries);
      dedupe_window.Set(window == INT64_MAX ? 0 : window / 1000);
    });

    p.probe = std::make_unique<IngestProbe>(p.metrics);
    WebhookHandlerOptions wo;
    wo.allow_unsigned = c.GetBool("allow_unsigned");
    wo.signature_max_age_seconds = c.GetInt("signature_max_age");
    p.webhook = std::make_unique<WebhookHandler>(wo, std::move(endpoints), std::move(auth),
                                                 p.events.get(), p.errors.get(), &p.dedupe,
                                                 &Clock::System(), p.probe.get());
  }
  p.healthz = std::make_unique<FunctionRoute>(
      [](const HttpRequest&) { return HttpResponse::Json(200, R"({"status":"ok"})"); });
  p.readyz = std::make_unique<FunctionRoute>([&p](const HttpRequest&) {
    if (!p.ready.load()) return HttpResponse::Error(503, "starting or stopping");
    return HttpResponse::Json(200, R"({"status":"ready"})");
  });
  p.metrics_route = std::make_unique<FunctionRoute>([&p](const HttpRequest&) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = p.metrics.RenderPrometheus();
    return r;
  });
  if (roles.ingest) {
    p.router.Add("POST", "/v1/webhooks/sendgrid", p.webhook.get());
    p.router.Add("POST", "/v1/webhooks/sendgrid/{name}", p.webhook.get());
  }
  if (roles.analytics) {
    MP_ASSIGN_OR_RETURN(AnalyticsOptions ao, AnalyticsOptionsFromConfig(c, &p.metrics));
    MP_ASSIGN_OR_RETURN(p.analytics, AnalyticsService::Open(consumed, std::move(ao)));
    p.analytics->Start();
    p.kpi_api =
        std::make_unique<KpiApi>(p.analytics.get(), KpiApiOptions{c.GetString("api_token")});
    p.kpi_api->Register(p.router);
    p.web = std::make_unique<WebAssets>();  // the dashboard at /, on the KPI API
    p.web->Register(p.router);
  }
  QueryApiOptions qo;
  qo.api_token = c.GetString("api_token");
  qo.query.limits.timeout = std::chrono::seconds(c.GetInt("query_timeout"));
  qo.query.limits.max_buffered_rows = c.GetInt("query_max_rows");
  qo.query.limits.max_groups = c.GetInt("query_max_groups");
  qo.query.threads = static_cast<int>(c.GetInt("query_threads"));
  qo.query.default_prefix = query::StaticPrefix(c.GetString("lake_prefix"));
  p.query_api = std::make_unique<QueryApi>(qo, p.lake.get());
  p.query_api->Register(p.router);
  S3SelectApiOptions s3o;
  s3o.api_token = qo.api_token;
  s3o.limits = qo.query.limits;
  p.s3_select = std::make_unique<S3SelectApi>(s3o, p.lake.get());
  p.s3_select->Register(p.router);  // POST /{bucket}/{key}?select: a fallback route
  p.router.Add("GET", "/healthz", p.healthz.get());
  p.router.Add("GET", "/readyz", p.readyz.get());
  p.router.Add("GET", "/metrics", p.metrics_route.get());

  HttpServerOptions ho;
  ho.listen = c.GetString("listen");
  ho.threads = static_cast<int>(c.GetInt("threads"));
  ho.max_body_bytes = static_cast<uint64_t>(c.GetInt("max_body"));
  ho.header_timeout_seconds = c.GetInt("header_timeout");
  ho.body_timeout_seconds = c.GetInt("body_timeout");
  ho.max_connections = static_cast<uint32_t>(c.GetInt("max_connections"));
  p.server = std::make_unique<HttpServer>(ho, &p.router, &p.metrics);
  MP_RETURN_IF_ERROR(p.server->Start());
  p.ready.store(true);
  spdlog::info("mailpulse listening on http://{}:{} (roles: {}{}{}; metrics /metrics)",
               ho.listen.substr(0, ho.listen.rfind(':')), p.server->port(),
               roles.ingest ? "ingest at POST /v1/webhooks/sendgrid " : "",
               roles.deliver ? "deliver " : "", roles.analytics ? "analytics at / and /v1/" : "");
  return Status::Ok();
}

void ServerApp::Stop() {
  Parts& p = *parts_;
  if (!p.server) return;
  p.ready.store(false);
  p.server->StopAccepting();
  p.server->WaitIdle(std::chrono::seconds(10));
  // Delivery stops (one last flush attempt) before the streams it reads close.
  if (p.delivery) p.delivery->Stop();
  if (p.error_delivery) p.error_delivery->Stop();
  if (p.analytics) {
    Status st = p.analytics->Stop();  // final snapshot, before the stream closes
    if (!st.ok()) spdlog::warn("analytics: final snapshot failed: {}", st.message());
  }
  if (p.events) p.events->Close();
  if (p.errors) p.errors->Close();
  p.server->Stop();
  p.server.reset();
  p.lock.reset();
}

}  // namespace mailpulse
