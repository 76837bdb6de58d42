// Walks one element of a webhook body (a simdjson On-Demand value) in a
// single pass: fills EventFields for the keys mailpulse interprets and
// validates every other byte of the element, so an accepted element is known
// to be valid JSON on its own (it is copied verbatim into the lake).
//
// Two kinds of failure, kept apart on purpose:
//   - malformed JSON (the walk returns a simdjson error): the whole body is
//     refused, because On-Demand cannot resynchronise after a syntax error;
//   - a well-formed element that is not a valid event: *reject_reason is set
//     and the walk succeeds, so its neighbours are still accepted.
//
// Internal to src/event/ (webhook_body.cc); exposed for tests and fuzzers.
// Strings with escapes are decoded into the simdjson parser's string buffer:
// their views live as long as the document being iterated.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

#include "common/types.h"
#include "event/event.h"

namespace mailpulse {

// Nesting deeper than this inside one element is refused as malformed: it
// bounds the walker's recursion (SendGrid events nest 2 levels).
inline constexpr int kMaxElementDepth = 64;

struct ElementWalkError {
  simdjson::error_code code = simdjson::SUCCESS;
  const char* where = nullptr;  // the offending token when known, else nullptr
};

// `v` must be an element of the body array. On success, *fields and
// *reject_reason describe the element (reject_reason empty = accepted).
// `may_have_escapes` false promises that the element holds no '\\' at all
// (the caller checked the whole body once), which spares looking for escapes
// string by string; true is always correct.
ElementWalkError WalkEventElement(simdjson::ondemand::value v, UnixMillis received_ms,
                                  EventFields* fields, std::optional<std::string>* reject_reason,
                                  bool may_have_escapes = true);

// True when `s` matches the JSON number grammar exactly (no surrounding space).
bool IsJsonNumber(std::string_view s);

// A small index (>= 0) when `name` is a top-level key the walker interprets
// (a second occurrence of one rejects the event as a duplicate), else -1.
// For delivery's fast path (delivery/event_scan.h).
int InterpretedKeyIndex(std::string_view name);

}  // namespace mailpulse
