// Parsing one Event Webhook request body: a JSON array of event objects.
//
// One pass with simdjson On-Demand; nothing of the body is copied when the
// caller's buffer has kBodyPadding spare bytes after the body (HttpRequest's
// body does: see ReserveBodyPadding), otherwise the body is copied once into
// a parser-owned padded buffer.
//
// Outcome:
//   - Status::Invalid when the body is not a JSON array (empty, object,
//     scalar, malformed JSON anywhere, trailing bytes): the message names what
//     was found and the byte offset; nothing of the body is kept (HTTP 400).
//   - otherwise one BodyElement per array element, in order. An element that
//     is not an object, or not a valid event, has reject_reason set; it does
//     not affect its neighbours.
//
// Lifetime: BodyElement views point into the body (or the parser's padded
// copy of it) and into the parser's unescape buffer. They stay valid while
// the body is alive and until the next Parse on the same parser (for
// ParseWebhookBody: the next call on the same thread).
// Thread-safety: a WebhookBodyParser is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "event/event.h"
#include "event/event_payload.h"  // callers turn elements into payloads

namespace mailpulse {

// simdjson reads up to this many bytes past the end of the body.
inline constexpr size_t kBodyPadding = 64;

// Makes sure `body` has kBodyPadding bytes of capacity after its end.
inline void ReserveBodyPadding(std::string& body) { body.reserve(body.size() + kBodyPadding); }

struct BodyElement {
  std::string_view raw;                      // exact bytes of the element, first to last character
  EventFields fields;                        // meaningful only when reject_reason is empty
  std::optional<std::string> reject_reason;  // set: a stable reason (event.h)
};

class WebhookBodyParser {
 public:
  WebhookBodyParser();
  ~WebhookBodyParser();
  WebhookBodyParser(const WebhookBodyParser&) = delete;
  WebhookBodyParser& operator=(const WebhookBodyParser&) = delete;

  // `capacity` is how many bytes are readable from body.data() (>= size);
  // with at least body.size() + kBodyPadding the body is not copied.
  // `received_ms` is the receive time (timestamps may not be more than 7 days
  // past it). `out` is cleared first.
  Status Parse(std::string_view body, size_t capacity, UnixMillis received_ms,
               std::vector<BodyElement>* out);
  Status Parse(const std::string& body, UnixMillis received_ms, std::vector<BodyElement>* out) {
    return Parse(body, body.capacity(), received_ms, out);
  }

  // Parses `json` as ONE element (a body without the brackets): for tests,
  // fuzzers and tools. Invalid when it is not exactly one JSON value.
  Status ParseOne(std::string_view json, UnixMillis received_ms, BodyElement* out);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Parse with a per-thread parser (see the lifetime note above).
Status ParseWebhookBody(const std::string& body, UnixMillis received_ms,
                        std::vector<BodyElement>* out);

}  // namespace mailpulse
