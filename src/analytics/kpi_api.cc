#include "analytics/kpi_api.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdint>

#include "analytics/kpi_json.h"
#include "http/bearer_auth.h"

namespace mailpulse {

namespace {

Result<KpiRange> RangeOf(const HttpRequest& req) {
  KpiRange r;
  if (auto s = QueryParam(req.query, "since")) {
    MP_ASSIGN_OR_RETURN(r.since, ParseTimeParam(*s));
  }
  if (auto u = QueryParam(req.query, "until")) {
    MP_ASSIGN_OR_RETURN(r.until, ParseTimeParam(*u));
  }
  if (r.since > 0 && r.until > 0 && r.until <= r.since)
    return Status::Invalid("until must be after since");
  return r;
}

// Query parameter `name` as an integer in [min, max], or `fallback` when absent.
Result<size_t> SizeParam(const HttpRequest& req, std::string_view name, size_t fallback, size_t min,
                         size_t max) {
  auto text = QueryParam(req.query, name);
  if (!text) return fallback;
  size_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < min || v > max) {
    return Status::Invalid(fmt::format("{} must be {}..{}", name, min, max));
  }
  return v;
}

Result<CampaignPage> PageOf(const HttpRequest& req) {
  CampaignPage page;
  page.after = QueryParam(req.query, "after");
  MP_ASSIGN_OR_RETURN(page.offset, SizeParam(req, "offset", 0, 0, SIZE_MAX));
  MP_ASSIGN_OR_RETURN(
      page.limit, SizeParam(req, "limit", CampaignPage::kDefaultLimit, 1, CampaignPage::kMaxLimit));
  return page;
}

}  // namespace

// Adapts one member function; refuses unauthenticated requests early.
class KpiApi::Route final : public RouteHandler {
 public:
  Route(const KpiApi* api, HttpResponse (KpiApi::*fn)(const HttpRequest&) const)
      : api_(api), fn_(fn) {}
  std::optional<HttpResponse> Precheck(const HttpRequest& req) override {
    return api_->Authorize(req);
  }
  void Handle(HttpRequest req, Responder respond) override {
    if (auto refused = api_->Authorize(req)) return respond(std::move(*refused));
    respond((api_->*fn_)(req));
  }

 private:
  const KpiApi* api_;
  HttpResponse (KpiApi::*fn_)(const HttpRequest&) const;
};

KpiApi::KpiApi(AnalyticsService* service, KpiApiOptions options)
    : service_(service), opt_(std::move(options)) {}
KpiApi::~KpiApi() = default;

void KpiApi::Register(Router& router) {
  struct Entry {
    const char* pattern;
    HttpResponse (KpiApi::*fn)(const HttpRequest&) const;
  };
  static constexpr Entry kRoutes[] = {
      {"/v1/campaigns", &KpiApi::List},
      {"/v1/campaigns/{id}", &KpiApi::Detail},
      {"/v1/campaigns/{id}/links", &KpiApi::Links},
      {"/v1/live", &KpiApi::Live},
  };
  for (const Entry& e : kRoutes) {
    routes_.push_back(std::make_unique<Route>(this, e.fn));
    router.Add("GET", e.pattern, routes_.back().get());
  }
  routes_.push_back(std::make_unique<FunctionRoute>(
      [](const HttpRequest&) { return HttpResponse::Json(200, OpenApiJson()); }));
  // The API description is public, like any OpenAPI document.
  router.Add("GET", "/v1/openapi.json", routes_.back().get());
}

std::optional<HttpResponse> KpiApi::Authorize(const HttpRequest& req) const {
  if (opt_.api_token.empty()) return std::nullopt;
  std::string_view auth = req.header ? req.header("Authorization") : std::string_view();
  // A browser's EventSource cannot set headers: /v1/live (only) also takes ?token=.
  if (auth.empty() && req.path == "/v1/live") {
    if (std::optional<std::string> token = QueryParam(req.query, "token")) {
      if (SecretEquals(*token, opt_.api_token)) return std::nullopt;
      HttpResponse r = HttpResponse::Error(401, "invalid bearer token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"mailpulse\"");
      return r;
    }
  }
  return RequireBearerToken(req, opt_.api_token);
}

HttpResponse KpiApi::Handle(const HttpRequest& req) const {
  if (auto refused = Authorize(req)) return std::move(*refused);
  if (req.path == "/v1/openapi.json") return HttpResponse::Json(200, OpenApiJson());
  if (req.path == "/v1/campaigns") return List(req);
  if (req.path == "/v1/live") return Live(req);
  return req.params.empty()             ? HttpResponse::Error(404, "no route for " + req.path)
         : req.path.ends_with("/links") ? Links(req)
                                        : Detail(req);
}

HttpResponse KpiApi::List(const HttpRequest& req) const {
  auto range = RangeOf(req);
  if (!range.ok()) return HttpResponse::Error(400, range.status().message());
  auto page = PageOf(req);
  if (!page.ok()) return HttpResponse::Error(400, page.status().message());
  std::string body;
  service_->Read([&](const KpiStore& s) { body = CampaignListJson(s, *range, *page); });
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse KpiApi::Detail(const HttpRequest& req) const {
  auto range = RangeOf(req);
  if (!range.ok()) return HttpResponse::Error(400, range.status().message());
  Granularity g = Granularity::kHour;
  if (auto gs = QueryParam(req.query, "granularity")) {
    auto parsed = ParseGranularity(*gs);
    if (!parsed.ok()) return HttpResponse::Error(400, parsed.status().message());
    g = *parsed;
  }
  std::string id = PercentDecode(req.params.empty() ? "" : req.params[0]);
  std::string body;
  service_->Read([&](const KpiStore& s) {
    if (const CampaignState* c = s.Find(id)) body = CampaignDetailJson(*c, g, *range);
  });
  if (body.empty()) return HttpResponse::Error(404, "no campaign " + id);
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse KpiApi::Links(const HttpRequest& req) const {
  auto limit = SizeParam(req, "limit", 20, 1, 1000);
  if (!limit.ok()) return HttpResponse::Error(400, limit.status().message());
  std::string id = PercentDecode(req.params.empty() ? "" : req.params[0]);
  std::string body;
  service_->Read([&](const KpiStore& s) {
    if (const CampaignState* c = s.Find(id)) body = CampaignLinksJson(*c, *limit);
  });
  if (body.empty()) return HttpResponse::Error(404, "no campaign " + id);
  return HttpResponse::Json(200, std::move(body));
}

// SSE: first a `campaigns` event with every campaign, then, at most every
// live_interval_ms, one with the campaigns changed since the last event.
HttpResponse KpiApi::Live(const HttpRequest&) const {
  struct State {
    uint64_t sent_version = 0;
    bool first = true;
    std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
  };
  auto state = std::make_shared<State>();
  AnalyticsService* service = service_;
  int64_t heartbeat_ms = opt_.live_heartbeat_ms;
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.stream_interval_ms = opt_.live_interval_ms;
  r.headers.emplace_back("X-Accel-Buffering", "no");
  r.stream_poll = [state, service, heartbeat_ms]() -> std::optional<std::string> {
    auto now = std::chrono::steady_clock::now();
    uint64_t v = service->version();
    if (!state->first && v == state->sent_version) {
      if (now - state->last_write < std::chrono::milliseconds(heartbeat_ms)) return std::string();
      state->last_write = now;
      return std::string(": keep-alive\n\n");
    }
    std::string data;
    service->Read([&](const KpiStore& s) {
      v = s.version();
      data = fmt::format("{{\"version\":{},\"campaigns\":[", v);
      bool first = true;
      for (const auto& [id, c] : s.campaigns()) {
        if (!state->first && c->version <= state->sent_version) continue;
        if (!first) data += ',';
        first = false;
        AppendCampaignJson(data, *c, KpiRange{});
      }
      data += "]}";
    });
    std::string out = state->first ? "retry: 1000\n" : "";
    out += "event: campaigns\ndata: " + data + "\n\n";
    state->first = false;
    state->sent_version = v;
    state->last_write = now;
    return out;
  };
  return r;
}

}  // namespace mailpulse
