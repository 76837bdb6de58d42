// The OpenAPI 3 description of the KPI API (served at /v1/openapi.json).
#include "analytics/kpi_api.h"
#include "analytics/kpi_counters.h"

namespace mailpulse {

namespace {

std::string BuildOpenApi() {
  std::string counters;
  for (size_t i = 0; i < kKpiCount; ++i) {
    counters += "\"";
    counters += KpiName(static_cast<Kpi>(i));
    counters += "\":{\"type\":\"integer\"},";
  }
  const std::string rates =
      R"("rates":{"type":"object","description":"Fractions; 0 when the denominator is 0. delivery_rate=delivered/processed, open_rate=unique_opens/delivered, human_open_rate=human_unique_opens/delivered, click_rate=unique_clicks/delivered, human_click_rate=human_unique_clicks/delivered, click_to_open_rate=unique_clicks/unique_opens, bounce_rate=bounces/processed, unsubscribe_rate=unsubscribes/delivered, spam_rate=spam_reports/delivered","properties":{"delivery_rate":{"type":"number"},"open_rate":{"type":"number"},"human_open_rate":{"type":"number"},"click_rate":{"type":"number"},"human_click_rate":{"type":"number"},"click_to_open_rate":{"type":"number"},"bounce_rate":{"type":"number"},"unsubscribe_rate":{"type":"number"},"spam_rate":{"type":"number"}}})";
  const std::string time_param =
      R"("schema":{"type":"string"},"description":"Epoch seconds or ISO-8601 (2026-01-02T03:04:05Z); by event time, bucket-aligned")";
  std::string doc =
      R"({"openapi":"3.0.3","info":{"title":"mailpulse KPI API","version":"1.0.0","description":"Live SendGrid campaign KPIs (issue #4). Counts are exact; unique = per message id."},)";
  doc +=
      R"("components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},"schemas":{)";
  doc +=
      R"("Campaign":{"type":"object","properties":{"id":{"type":"string"},"name":{"type":"string","nullable":true},)" +
      counters +
      R"("dropped_by_reason":{"type":"object","additionalProperties":{"type":"integer"},"description":"All time; absent when since/until is given"},)" +
      rates + "}},";
  doc +=
      R"("Bucket":{"type":"object","properties":{"start":{"type":"string","format":"date-time"},"start_ms":{"type":"integer"},)" +
      counters.substr(0, counters.size() - 1) + "}},";
  doc += R"("Error":{"type":"object","properties":{"error":{"type":"string"}}}}},)";
  doc += R"("security":[{"bearer":[]}],"paths":{)";
  doc +=
      R"("/v1/campaigns":{"get":{"summary":"Campaigns with their counters and rates, by id, one page at a time","parameters":[{"name":"since","in":"query",)" +
      time_param + R"(},{"name":"until","in":"query",)" + time_param +
      R"(},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":1000,"default":100}},{"name":"after","in":"query","schema":{"type":"string"},"description":"Only campaigns with an id after this one: the previous page's next"},{"name":"offset","in":"query","schema":{"type":"integer","minimum":0,"default":0},"description":"Campaigns to skip, after `after` when given"}],"responses":{"200":{"description":"Campaigns","content":{"application/json":{"schema":{"type":"object","properties":{"campaigns":{"type":"array","items":{"$ref":"#/components/schemas/Campaign"}},"next":{"type":"string","description":"Present when more campaigns follow: pass it as after= for the next page"}}}}}},"400":{"description":"Bad parameter","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},"401":{"description":"Missing or wrong bearer token"}}}},)";
  doc +=
      R"("/v1/campaigns/{id}":{"get":{"summary":"One campaign with a time series","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}},{"name":"granularity","in":"query","schema":{"type":"string","enum":["minute","hour","day"],"default":"hour"}},{"name":"since","in":"query",)" +
      time_param + R"(},{"name":"until","in":"query",)" + time_param +
      R"(}],"responses":{"200":{"description":"Campaign and series","content":{"application/json":{"schema":{"allOf":[{"$ref":"#/components/schemas/Campaign"},{"type":"object","properties":{"granularity":{"type":"string"},"series":{"type":"array","items":{"$ref":"#/components/schemas/Bucket"}}}}]}}}},"404":{"description":"Unknown campaign"},"401":{"description":"Missing or wrong bearer token"}}}},)";
  doc +=
      R"("/v1/campaigns/{id}/links":{"get":{"summary":"Top clicked URLs, all time","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":1000,"default":20}}],"responses":{"200":{"description":"Links by clicks","content":{"application/json":{"schema":{"type":"object","properties":{"id":{"type":"string"},"links":{"type":"array","items":{"type":"object","properties":{"url":{"type":"string"},"clicks":{"type":"integer"},"unique_clicks":{"type":"integer"}}}}}}}}},"404":{"description":"Unknown campaign"},"401":{"description":"Missing or wrong bearer token"}}}},)";
  doc +=
      R"("/v1/live":{"get":{"summary":"Server-Sent Events: `campaigns` events with every campaign first, then the campaigns changed, at most every 250 ms","responses":{"200":{"description":"text/event-stream; data is {\"version\":N,\"campaigns\":[Campaign...]}","content":{"text/event-stream":{"schema":{"type":"string"}}}},"401":{"description":"Missing or wrong bearer token"}}}},)";
  doc +=
      R"("/v1/openapi.json":{"get":{"summary":"This document","security":[],"responses":{"200":{"description":"OpenAPI 3 document"}}}}}})";
  return doc;
}

}  // namespace

const std::string& KpiApi::OpenApiJson() {
  static const std::string doc = BuildOpenApi();
  return doc;
}

}  // namespace mailpulse
