// Whole request bodies: the parser must never crash, and every element it
// accepts or rejects must turn into a payload that is valid JSON.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "event/event_payload.h"
#include "event/webhook_body.h"

namespace {

void CheckJson(const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(json).get(e) != simdjson::SUCCESS) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailpulse;
  static WebhookBodyParser parser;
  const UnixMillis received = 1700000000000;
  std::string body(reinterpret_cast<const char*>(data), size);
  ReserveBodyPadding(body);
  std::vector<BodyElement> elements;
  Status st = parser.Parse(body, received, &elements);
  if (!st.ok()) {
    if (!elements.empty()) std::abort();  // a refused body keeps nothing
    return 0;
  }
  for (const BodyElement& el : elements) {
    std::string out;
    if (el.reject_reason) {
      AppendRejectedPayload(out, el.raw, *el.reject_reason, received, "fuzz");
    } else {
      AppendEnrichedPayload(out, el.fields, el.raw, received, "fuzz");
      if (PartitionKey(el.fields).empty()) std::abort();
      if (DedupeKey(el.fields).empty()) std::abort();
    }
    CheckJson(out);
  }
  return 0;
}
