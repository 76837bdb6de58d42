// The SendGrid event model: the few fields mailpulse interprets, how they are
// validated, and the two keys derived from them (partition and dedupe).
//
// An EventFields is a *view*: every string_view points either into the
// request body or into the parser's unescape buffer (see webhook_body.h for
// how long those live). Nothing is copied on the hot path; the record that
// goes to the stream is the original element bytes plus an envelope
// (event_payload.h), so fields not listed here are never lost.
//
// Formats and rules are documented in docs/formats/event-record.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/types.h"

namespace mailpulse {

struct EventFields {
  std::string_view event;          // "processed", "open", ... (as sent; may be capitalised)
  std::string_view sg_event_id;    // dedupe id; empty when absent or not a string
  std::string_view sg_message_id;  // "<X-Message-Id>.<host...>"; empty when absent
  std::string_view message_id;     // sg_message_id before its first '.'
  std::string_view email;
  std::string_view url;
  std::string_view type;                   // bounce: "bounce"|"blocked"; account_status_change kind
  std::string_view attempt;                // deferred: string or number, as its text
  std::string_view pool_id;                // pool.id, string or number, as its text
  std::string_view singlesend_id;          // string or number, as its text
  std::string_view marketing_campaign_id;  // string or number, as its text
  std::string_view category;  // the first category (string, or first string of an array)
  int64_t timestamp_ms = 0;   // normalized to milliseconds (valid when has_timestamp)
  bool has_event = false;     // `event` present and a string (possibly empty)
  bool has_timestamp = false;
  std::optional<bool> machine_open;  // sg_machine_open (bool, 0/1 or "true"/"false")
};

// Stable rejection reasons: they are written into the error output and used
// as metric labels, so never reword them.
namespace reject_reason {
inline constexpr std::string_view kNotAnObject = "event is not a JSON object";
inline constexpr std::string_view kMissingEvent = "missing field: event";
inline constexpr std::string_view kEventNotString = "event must be a string";
inline constexpr std::string_view kEventEmpty = "event must not be empty";
inline constexpr std::string_view kMissingTimestamp = "missing field: timestamp";
inline constexpr std::string_view kTimestampNotInteger = "timestamp must be an integer";
inline constexpr std::string_view kTimestampOutOfRange = "timestamp out of range";
// A valid JSON number that does not fit a 64-bit integer or a double.
inline constexpr std::string_view kNumberOutOfRange = "number out of range";
// Followed by the field name, e.g. "duplicate field: event".
inline constexpr std::string_view kDuplicateFieldPrefix = "duplicate field: ";
}  // namespace reject_reason

// Earliest accepted event time (2000-01-01T00:00:00Z) and how far past the
// receive time an event may claim to be.
inline constexpr UnixMillis kMinEventMillis = 946684800000;
inline constexpr int64_t kMaxFutureSkewMillis = 7LL * 24 * 3600 * 1000;
// Timestamps above this are already milliseconds (1e11 s is the year 5138).
inline constexpr int64_t kMillisThreshold = 100000000000;

// Seconds or milliseconds -> milliseconds (see kMillisThreshold).
int64_t NormalizeTimestampMillis(int64_t value);

// The part of an sg_message_id before its first '.', or all of it.
std::string_view MessageIdOf(std::string_view sg_message_id);

// Checks what the parser could not decide from types alone: presence of
// event and timestamp, non-empty event, timestamp range. Returns the reason
// when the event must be rejected.
std::optional<std::string> ValidateEvent(const EventFields& f, UnixMillis received_ms);

// Shard routing key: message_id; else email (async bounces and
// account_status_change have no sg_message_id); else sg_event_id; else
// "_none". Never empty; at most kMaxPartitionKeyBytes (longer values are cut
// by bytes, which may split a UTF-8 sequence: the key is opaque bytes).
inline constexpr size_t kMaxPartitionKeyBytes = 256;
std::string_view PartitionKeyView(const EventFields& f);
std::string PartitionKey(const EventFields& f);

// Exact-duplicate key: sg_event_id when present, non-empty and not starting
// with kFallbackKeyPrefix; otherwise
//   kFallbackKeyPrefix message_id \x1f event \x1f timestamp_ms \x1f email \x1f url
// The prefix byte (0x00) never starts a real sg_event_id, so the two key
// spaces cannot collide.
inline constexpr char kFallbackKeyPrefix = '\0';
inline constexpr char kFallbackKeySeparator = '\x1f';
void AppendDedupeKey(std::string& out, const EventFields& f);
std::string DedupeKey(const EventFields& f);

}  // namespace mailpulse
