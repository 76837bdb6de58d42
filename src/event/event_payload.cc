#include "event/event_payload.h"

#include <simdjson.h>

#include <charconv>

#include "common/json_escape.h"

namespace mailpulse {
namespace {

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;  // 24 bytes always hold an int64
  out.append(buf, end);
}

// Opens the envelope: {"_mailpulse":{"received_ms":R,"webhook":"W"
void AppendEnvelopeStart(std::string& out, UnixMillis received_ms, std::string_view webhook) {
  out.append("{\"_mailpulse\":{\"received_ms\":");
  AppendInt(out, received_ms);
  out.append(",\"webhook\":");
  AppendJsonString(out, webhook);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// True when `raw` is exactly one valid JSON value (whitespace around allowed).
// Only the rejected path calls this, so a full DOM validation is affordable.
bool IsValidJsonValue(std::string_view raw) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(raw.data(), raw.size(), /*realloc_if_needed=*/true).get(root) ==
         simdjson::SUCCESS;
}

// The rest of an enriched payload after the envelope's head.
void AppendEnrichedTail(std::string& out, const EventFields& f, std::string_view raw) {
  out.append(",\"message_id\":");
  if (f.message_id.empty()) {
    out.append("null");
  } else {
    AppendJsonString(out, f.message_id);
  }
  out.append(",\"event_ms\":");
  AppendInt(out, f.timestamp_ms);
  out.push_back('}');
  // raw is "{" ws ( "}" | member ... ). Keep every byte after the '{'.
  std::string_view rest = raw.empty() ? raw : raw.substr(1);
  size_t first = 0;
  while (first < rest.size() && IsJsonSpace(rest[first])) ++first;
  if (first < rest.size() && rest[first] != '}') out.push_back(',');
  out.append(rest);
}

}  // namespace

void AppendEnrichedPayload(std::string& out, const EventFields& f, std::string_view raw,
                           UnixMillis received_ms, std::string_view webhook_name) {
  out.reserve(out.size() + raw.size() + 128 + webhook_name.size() + f.message_id.size());
  AppendEnvelopeStart(out, received_ms, webhook_name);
  AppendEnrichedTail(out, f, raw);
}

EnrichedPayloadWriter::EnrichedPayloadWriter(UnixMillis received_ms,
                                             std::string_view webhook_name) {
  AppendEnvelopeStart(head_, received_ms, webhook_name);
}

void EnrichedPayloadWriter::Append(std::string& out, const EventFields& f,
                                   std::string_view raw) const {
  out.reserve(out.size() + raw.size() + 128 + head_.size() + f.message_id.size());
  out.append(head_);
  AppendEnrichedTail(out, f, raw);
}

void AppendRejectedPayload(std::string& out, std::string_view raw, std::string_view reason,
                           UnixMillis received_ms, std::string_view webhook_name) {
  out.reserve(out.size() + raw.size() + 96 + webhook_name.size() + reason.size());
  AppendEnvelopeStart(out, received_ms, webhook_name);
  out.append(",\"error\":");
  AppendJsonString(out, reason);
  out.append("},\"raw\":");
  if (IsValidJsonValue(raw)) {
    out.append(raw);
  } else {
    AppendJsonString(out, raw);
  }
  out.push_back('}');
}

}  // namespace mailpulse
