// API Gateway proxy events (lambda/api_gateway_event.h): parsing never
// crashes; a parsed event's header lookup is case-insensitive and its
// response document is valid JSON that carries the body back unchanged.
#include <simdjson.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lambda/api_gateway_event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailpulse;
  static simdjson::dom::parser dom;
  std::string_view event(reinterpret_cast<const char*>(data), size);
  Result<ApiGatewayRequest> r = ParseApiGatewayEvent(event);
  if (!r.ok()) return 0;
  if (r->path.empty() || r->path[0] != '/') std::abort();
  for (const auto& [name, value] : r->headers) {
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (r->Header(upper).data() == nullptr && !value.empty()) std::abort();
  }
  (void)RoutePath(*r, "/v1/webhooks/sendgrid");
  std::string doc = EncodeApiGatewayResponse(200, r->headers, r->body);
  // Bodies decoded from base64 may hold any bytes; JSON needs UTF-8.
  if (!simdjson::validate_utf8(r->body.data(), r->body.size())) return 0;
  for (const auto& [name, value] : r->headers) {
    if (!simdjson::validate_utf8(name.data(), name.size()) ||
        !simdjson::validate_utf8(value.data(), value.size())) {
      return 0;
    }
  }
  simdjson::dom::element e;
  if (dom.parse(doc).get(e) != simdjson::SUCCESS) std::abort();
  std::string_view body;
  if (e["body"].get_string().get(body) != simdjson::SUCCESS || body != r->body) std::abort();
  return 0;
}
