#include "event/webhook_body.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>

#include "event/event_parser.h"

namespace mailpulse {
namespace {

namespace od = simdjson::ondemand;
static_assert(kBodyPadding >= simdjson::SIMDJSON_PADDING,
              "kBodyPadding must cover simdjson's padding");

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char* TypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

// End of an element given where the next one starts: back over
// whitespace, the ',' and whitespace again.
const char* EndBefore(const char* start, const char* next) {
  const char* p = next;
  while (p > start && IsJsonSpace(p[-1])) --p;
  if (p > start && p[-1] == ',') --p;
  while (p > start && IsJsonSpace(p[-1])) --p;
  return p;
}

}  // namespace

struct WebhookBodyParser::Rep {
  od::parser parser;
  std::string padded;  // the body, copied only when the caller's buffer lacks padding
  std::string one;     // ParseOne's "[json]"
  std::vector<BodyElement> one_out;
};

WebhookBodyParser::WebhookBodyParser() : rep_(std::make_unique<Rep>()) {}
WebhookBodyParser::~WebhookBodyParser() = default;

Status WebhookBodyParser::Parse(std::string_view body, size_t capacity, UnixMillis received_ms,
                                std::vector<BodyElement>* out) {
  out->clear();
  size_t first = 0;
  while (first < body.size() && IsJsonSpace(body[first])) ++first;
  if (first == body.size()) {
    return Status::Invalid(body.empty()
                               ? "body is empty; expected a JSON array of events"
                               : "body is only whitespace; expected a JSON array of events");
  }
  if (capacity < body.size() + simdjson::SIMDJSON_PADDING) {
    rep_->padded.clear();
    rep_->padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    rep_->padded.append(body);
    body = rep_->padded;
    capacity = rep_->padded.capacity();
  }
  const char* base = body.data();
  auto malformed = [&](simdjson::error_code code, const char* where, const char* what) {
    size_t offset = where != nullptr && where >= base && where <= base + body.size()
                        ? static_cast<size_t>(where - base)
                        : first;
    return Status::Invalid(fmt::format("malformed JSON {}at byte {}: {}", what, offset,
                                       simdjson::error_message(code)));
  };

  od::document doc;
  simdjson::error_code err = rep_->parser.iterate(body, capacity).get(doc);
  if (err != simdjson::SUCCESS) {
    // Stage-1 failures (bad UTF-8, unclosed string, control characters in a
    // string) carry no position.
    return Status::Invalid(fmt::format("malformed JSON: {}", simdjson::error_message(err)));
  }
  od::json_type type;
  if ((err = doc.type().get(type)) != simdjson::SUCCESS) {
    return malformed(err, base + first, "");
  }
  if (type != od::json_type::array) {
    return Status::Invalid(fmt::format("body must be a JSON array of events; found {} at byte {}",
                                       TypeName(type), first));
  }
  od::array array;
  if ((err = doc.get_array().get(array)) != simdjson::SUCCESS) {
    return malformed(err, base + first, "in the body array ");
  }

  // Most bodies hold no escape at all: one scan of the whole body spares the
  // walker a scan of every string value.
  const bool may_have_escapes = std::memchr(base, '\\', body.size()) != nullptr;
  const char* prev_start = nullptr;
  for (auto item : array) {
    od::value value;
    if ((err = std::move(item).get(value)) != simdjson::SUCCESS) {
      const char* where = nullptr;
      if (doc.current_location().get(where) != simdjson::SUCCESS) where = nullptr;
      out->clear();
      return malformed(err, where != nullptr ? where : prev_start, "in the body array ");
    }
    const char* start = value.raw_json_token().data();
    if (prev_start != nullptr) {
      out->back().raw = std::string_view(prev_start, EndBefore(prev_start, start) - prev_start);
    }
    BodyElement& el = out->emplace_back();
    ElementWalkError walk =
        WalkEventElement(value, received_ms, &el.fields, &el.reject_reason, may_have_escapes);
    if (walk.code != simdjson::SUCCESS) {
      const char* where = walk.where;
      if (where == nullptr && doc.current_location().get(where) != simdjson::SUCCESS)
        where = nullptr;
      const std::string what = fmt::format("in element {} ", out->size() - 1);
      out->clear();
      return malformed(walk.code, where != nullptr ? where : start, what.c_str());
    }
    prev_start = start;
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS && trailing != nullptr) {
    out->clear();
    return Status::Invalid(fmt::format("unexpected bytes after the JSON array at byte {}",
                                       static_cast<size_t>(trailing - base)));
  }
  if (prev_start != nullptr) {
    // The array is well formed and nothing follows it: its ']' is the last
    // non-space byte of the body.
    const char* close = base + body.size();
    while (close > prev_start && IsJsonSpace(close[-1])) --close;
    --close;  // the ']'
    out->back().raw = std::string_view(prev_start, EndBefore(prev_start, close) - prev_start);
  }
  return Status::Ok();
}

Status WebhookBodyParser::ParseOne(std::string_view json, UnixMillis received_ms,
                                   BodyElement* out) {
  rep_->one.clear();
  rep_->one.reserve(json.size() + 2 + simdjson::SIMDJSON_PADDING);
  rep_->one.push_back('[');
  rep_->one.append(json);
  rep_->one.push_back(']');
  MP_RETURN_IF_ERROR(Parse(rep_->one, rep_->one.capacity(), received_ms, &rep_->one_out));
  if (rep_->one_out.size() != 1) {
    return Status::Invalid(
        fmt::format("expected exactly one JSON value, found {}", rep_->one_out.size()));
  }
  *out = std::move(rep_->one_out.front());
  return Status::Ok();
}

Status ParseWebhookBody(const std::string& body, UnixMillis received_ms,
                        std::vector<BodyElement>* out) {
  thread_local WebhookBodyParser parser;
  return parser.Parse(body, received_ms, out);
}

}  // namespace mailpulse
