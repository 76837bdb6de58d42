// KpiApi: the KPI HTTP API of issue #4 over an AnalyticsService.
//
//   GET /v1/campaigns                 ?since=&until=&limit=&after=&offset=  campaign list (paged)
//   GET /v1/campaigns/{id}            ?granularity=&since=&until= one campaign + time series
//   GET /v1/campaigns/{id}/links      ?limit=                     top clicked URLs
//   GET /v1/live                                                   Server-Sent Events
//   GET /v1/openapi.json                                           OpenAPI 3 document
//
// When `api_token` is set every route requires `Authorization: Bearer
// <token>` (compared in constant time) and answers 401 JSON otherwise.
// /v1/live also accepts `?token=<token>` (constant time too), because a
// browser's EventSource cannot send headers; the dashboard uses it.
// Documents are described in docs/analytics.md and by the OpenAPI document.
//
// Lifetime: the service and the KpiApi must outlive the router's server.
// Handlers run on HTTP threads; they read the store under its shared lock.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics_service.h"
#include "http/query_params.h"  // QueryParam, PercentDecode (used with the API)
#include "http/router.h"

namespace mailpulse {

struct KpiApiOptions {
  std::string api_token;               // empty: no authentication
  int64_t live_interval_ms = 250;      // SSE push period (at most this often)
  int64_t live_heartbeat_ms = 15'000;  // SSE comment when nothing changed
};

class KpiApi {
 public:
  KpiApi(AnalyticsService* service, KpiApiOptions options);
  ~KpiApi();

  void Register(Router& router);

  // Exposed for tests: the response each route would give.
  HttpResponse Handle(const HttpRequest& req) const;
  static const std::string& OpenApiJson();

 private:
  class Route;
  std::optional<HttpResponse> Authorize(const HttpRequest& req) const;
  HttpResponse List(const HttpRequest& req) const;
  HttpResponse Detail(const HttpRequest& req) const;
  HttpResponse Links(const HttpRequest& req) const;
  HttpResponse Live(const HttpRequest& req) const;

  AnalyticsService* service_;
  KpiApiOptions opt_;
  std::vector<std::unique_ptr<RouteHandler>> routes_;
};

}  // namespace mailpulse
