// One element: parse, validate, enrich. An accepted event's enriched payload
// must be valid JSON (checked with simdjson's fully validating DOM parser,
// independent of the On-Demand walk under test) and end with the original
// bytes after its '{'.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_payload.h"
#include "event/webhook_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailpulse;
  static WebhookBodyParser parser;
  static simdjson::dom::parser dom;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  BodyElement el;
  if (!parser.ParseOne(json, 1700000000000, &el).ok()) return 0;
  std::string out;
  if (el.reject_reason) {
    AppendRejectedPayload(out, el.raw, *el.reject_reason, 1700000000000, "w\"\\\n");
  } else {
    AppendEnrichedPayload(out, el.fields, el.raw, 1700000000000, "w\"\\\n");
    if (out.size() < el.raw.size() ||
        out.compare(out.size() - (el.raw.size() - 1), std::string::npos, el.raw.substr(1)) != 0) {
      std::abort();
    }
  }
  simdjson::dom::element e;
  if (dom.parse(out).get(e) != simdjson::SUCCESS) std::abort();
  return 0;
}
