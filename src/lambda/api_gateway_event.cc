#include "lambda/api_gateway_event.h"

#include <simdjson.h>

#include <cctype>

#include "common/base64.h"
#include "common/json_escape.h"

namespace mailpulse {
namespace {

namespace dom = simdjson::dom;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The string at `key` of `obj`, or "" when absent or null; false when present
// with another type.
bool OptionalString(dom::object obj, std::string_view key, std::string* out) {
  dom::element v;
  if (obj.at_key(key).get(v) != simdjson::SUCCESS || v.is_null()) {
    out->clear();
    return true;
  }
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return false;
  out->assign(s);
  return true;
}

bool OptionalObject(dom::object obj, std::string_view key, dom::object* out, bool* present) {
  dom::element v;
  *present = false;
  if (obj.at_key(key).get(v) != simdjson::SUCCESS || v.is_null()) return true;
  if (v.get_object().get(*out) != simdjson::SUCCESS) return false;
  *present = true;
  return true;
}

Status NotApiGateway(std::string_view why) {
  return Status::Invalid("not an API Gateway proxy event: " + std::string(why));
}

// Headers of a 1.0 or 2.0 event; 1.0's multiValueHeaders fill in names that
// "headers" lacks (values joined with commas, as 2.0 does).
Status ReadHeaders(dom::object root, ApiGatewayRequest* req) {
  dom::object headers;
  bool present = false;
  if (!OptionalObject(root, "headers", &headers, &present)) return NotApiGateway("headers");
  if (present) {
    for (auto field : headers) {
      std::string_view value;
      if (field.value.is_null()) continue;
      if (field.value.get_string().get(value) != simdjson::SUCCESS) {
        return NotApiGateway("header '" + std::string(field.key) + "' is not a string");
      }
      req->headers.emplace_back(Lower(field.key), std::string(value));
    }
  }
  dom::object multi;
  if (!OptionalObject(root, "multiValueHeaders", &multi, &present)) {
    return NotApiGateway("multiValueHeaders");
  }
  if (!present) return Status::Ok();
  for (auto field : multi) {
    std::string name = Lower(field.key);
    if (!req->Header(name).empty()) continue;
    dom::array values;
    if (field.value.is_null()) continue;
    if (field.value.get_array().get(values) != simdjson::SUCCESS) {
      return NotApiGateway("multiValueHeaders '" + std::string(field.key) + "' is not an array");
    }
    std::string joined;
    for (dom::element v : values) {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) {
        return NotApiGateway("multiValueHeaders '" + std::string(field.key) +
                             "' holds a non-string");
      }
      if (!joined.empty()) joined.push_back(',');
      joined.append(s);
    }
    req->headers.emplace_back(std::move(name), std::move(joined));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ApiGatewayRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i) {
      same = static_cast<unsigned char>(k[i]) == std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return v;
  }
  return {};
}

Result<ApiGatewayRequest> ParseApiGatewayEvent(std::string_view event) {
  dom::parser parser;
  dom::element doc;
  if (parser.parse(event.data(), event.size()).get(doc) != simdjson::SUCCESS) {
    return NotApiGateway("the event is not JSON");
  }
  dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    return NotApiGateway("the event is not a JSON object");
  }
  ApiGatewayRequest req;
  std::string version;
  if (!OptionalString(root, "version", &version)) return NotApiGateway("version");
  dom::object context;
  bool has_context = false;
  if (!OptionalObject(root, "requestContext", &context, &has_context)) {
    return NotApiGateway("requestContext");
  }
  if (!has_context) return NotApiGateway("no requestContext");
  if (!OptionalString(context, "stage", &req.stage)) return NotApiGateway("requestContext.stage");

  if (version == "2.0") {
    req.version = ApiGatewayPayload::kV2;
    dom::object http;
    bool has_http = false;
    if (!OptionalObject(context, "http", &http, &has_http) || !has_http) {
      return NotApiGateway("payload 2.0 without requestContext.http");
    }
    if (!OptionalString(http, "method", &req.method) || req.method.empty()) {
      return NotApiGateway("payload 2.0 without requestContext.http.method");
    }
    if (!OptionalString(root, "rawPath", &req.path)) return NotApiGateway("rawPath");
    if (req.path.empty() && !OptionalString(http, "path", &req.path)) {
      return NotApiGateway("requestContext.http.path");
    }
    if (!OptionalString(root, "rawQueryString", &req.raw_query)) {
      return NotApiGateway("rawQueryString");
    }
  } else if (version.empty() || version == "1.0") {
    req.version = ApiGatewayPayload::kV1;
    if (!OptionalString(root, "httpMethod", &req.method) || req.method.empty()) {
      return NotApiGateway("no httpMethod (payload 1.0) or version 2.0");
    }
    if (!OptionalString(root, "path", &req.path)) return NotApiGateway("path");
  } else {
    return NotApiGateway("unknown payload version '" + version + "'");
  }
  if (req.path.empty() || req.path.front() != '/') return NotApiGateway("no path");
  MP_RETURN_IF_ERROR(ReadHeaders(root, &req));

  std::string body;
  if (!OptionalString(root, "body", &body)) return NotApiGateway("body is not a string");
  bool base64 = false;
  dom::element flag;
  if (root.at_key("isBase64Encoded").get(flag) == simdjson::SUCCESS && !flag.is_null() &&
      flag.get_bool().get(base64) != simdjson::SUCCESS) {
    return NotApiGateway("isBase64Encoded is not a boolean");
  }
  if (base64) {
    Result<std::string> decoded = Base64Decode(body);
    if (!decoded.ok()) {
      return Status::Invalid("isBase64Encoded body is not base64: " + decoded.status().message());
    }
    req.body = std::move(decoded).value();
  } else {
    req.body = std::move(body);
  }
  return req;
}

std::string RoutePath(const ApiGatewayRequest& request, std::string_view route_prefix) {
  std::string_view path = request.path;
  if (path.starts_with(route_prefix) || request.stage.empty() || request.stage == "$default") {
    return std::string(path);
  }
  std::string stage_prefix = "/" + request.stage;
  if (path.starts_with(stage_prefix) && path.size() > stage_prefix.size() &&
      path[stage_prefix.size()] == '/' &&
      path.substr(stage_prefix.size()).starts_with(route_prefix)) {
    return std::string(path.substr(stage_prefix.size()));
  }
  return std::string(path);
}

std::string EncodeApiGatewayResponse(
    int status, const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view body) {
  std::string out = "{\"statusCode\":" + std::to_string(status) + ",\"headers\":{";
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, headers[i].first);
    out.push_back(':');
    AppendJsonString(out, headers[i].second);
  }
  out += "},\"body\":";
  AppendJsonString(out, body);
  out += ",\"isBase64Encoded\":false}";
  return out;
}

}  // namespace mailpulse
