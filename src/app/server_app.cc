#include "app/server_app.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "analytics/analytics_service.h"
#include "analytics/kpi_api.h"
#include "app/analytics_setup.h"
#include "app/webhook_setup.h"
#include "common/dir_lock.h"
#include "delivery/delivery_service.h"
#include "http/http_server.h"
#include "http/router.h"
#include "ingest/dedupe_stream.h"
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
  std::unique_ptr<WebhookStage> webhook;
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
  std::optional<WebhookSettings> webhook_settings;
  if (roles.ingest) {
    MP_ASSIGN_OR_RETURN(webhook_settings, WebhookSettingsFromConfig(c));
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
    // With the embedded log this process holds every record, so its dedupe
    // index is the exactly-once guarantee and is rebuilt from the log. On a
    // remote stream ingest nodes are stateless (a retry may reach another
    // node): the index only catches retries to this node, and the consumers
    // dedupe shard by shard (docs/operations.md).
    MP_ASSIGN_OR_RETURN(p.webhook,
                        WebhookStage::Create(std::move(*webhook_settings), p.events.get(),
                                             p.errors.get(), &p.metrics,
                                             IsEmbeddedStream(c.GetString("stream"))));
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
  if (roles.ingest) p.webhook->Register(p.router);
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
