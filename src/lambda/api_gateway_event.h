// Amazon API Gateway's Lambda proxy events, parsed into what the webhook
// needs: method, path, headers and the exact body bytes the client sent.
//
// Two shapes are accepted (facts and examples: docs/aws.md, tests/data/lambda/):
//  - HTTP API payload format 2.0: "version":"2.0", method and path in
//    requestContext.http, rawPath; header names already lowercased, repeated
//    headers joined with commas.
//  - REST API proxy and HTTP API payload format 1.0: "httpMethod", "path";
//    header names in the client's case, repeated ones in multiValueHeaders.
// With "isBase64Encoded": true the body is base64-decoded here, so the
// signature is verified over the bytes SendGrid signed; the body is never
// re-serialized.
//
// Pure functions over untrusted bytes (fuzz/api_gateway_event_fuzzer.cc);
// no I/O; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mailpulse {

enum class ApiGatewayPayload { kV1, kV2 };

struct ApiGatewayRequest {
  ApiGatewayPayload version = ApiGatewayPayload::kV2;
  std::string method;     // "POST"
  std::string path;       // as API Gateway gave it (may start with the stage)
  std::string stage;      // requestContext.stage ("$default", "prod", or empty)
  std::string raw_query;  // 2.0 rawQueryString; empty for 1.0
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;  // the client's bytes (decoded when isBase64Encoded)

  // Value of a header, any case of `name`; empty view when absent.
  std::string_view Header(std::string_view name) const;
};

// Invalid when `event` is not JSON, is not an API Gateway proxy event, or
// says isBase64Encoded with a body that is not base64.
Result<ApiGatewayRequest> ParseApiGatewayEvent(std::string_view event);

// The path to route: `request.path`, or with its leading "/{stage}" removed
// when only that makes it start with `route_prefix` (a named stage of an
// HTTP API keeps the stage in rawPath; REST API paths usually omit it).
std::string RoutePath(const ApiGatewayRequest& request, std::string_view route_prefix);

// API Gateway's proxy response (both payload versions read it):
//   {"statusCode":S,"headers":{...},"body":"...","isBase64Encoded":false}
// Header names are written as given; `body` is sent as a JSON string.
std::string EncodeApiGatewayResponse(
    int status, const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view body);

}  // namespace mailpulse
