// ScanEventFields: delivery's fast path to an event's partition values.
//
// Why: records written by ingest were validated there, yet delivery must
// still route a record that is not valid JSON or not a valid event to the
// error prefix with the body parser's exact reason. Walking every record
// with the full parser (WebhookBodyParser::ParseOne) only to read four fields
// was the largest cost of a delivery thread.
//
// Contract: one pass over `payload` that returns true only when the payload
// is one JSON object inside a conservative subset of JSON that the full
// parser certainly accepts, and the event is valid; *f then holds exactly
// what ParseOne would set for `event`, `has_event`, `timestamp_ms`,
// `has_timestamp`, `marketing_campaign_id`, `singlesend_id` and `category`
// (views into `payload`; every other member is left empty). False means
// "ask the full parser": the caller must fall back to ParseOne, which also
// produces the reason. Anything unusual returns false:
//   - a backslash in any top-level key or in the values read above;
//   - a \u escape in the surrogate range, or an unknown escape;
//   - a number outside -?(0|[1-9]\d{0,17})(\.\d{1,20})? (exponents,
//     more digits);
//   - nesting deeper than 32, raw control bytes, invalid UTF-8, bytes
//     after the object;
//   - a duplicate of a key the event parser interprets, an `event` that is
//     not a string, a `timestamp` that is not integer text, or a reason from
//     ValidateEvent.
// Equivalence with ParseOne is checked by tests/delivery/event_scan_test.cc.
//
// Stateless and thread-safe.
#pragma once

#include <string_view>

#include "common/types.h"

namespace mailpulse {

struct EventFields;  // event/event.h

bool ScanEventFields(std::string_view payload, UnixMillis received_ms, EventFields* f);

}  // namespace mailpulse
