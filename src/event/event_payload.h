// The record payloads ingest appends: an accepted event with its mailpulse
// envelope, or a rejected element with its reason (the error output).
//
// Both keep every byte of the original element: the envelope is spliced in
// as the first key, so the payload is the SendGrid object plus one key, and
// anything SendGrid adds tomorrow reaches the lake untouched.
// Format: docs/formats/event-record.md. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/types.h"
#include "event/event.h"

namespace mailpulse {

// The envelope key; SendGrid never sends keys starting with '_'.
inline constexpr std::string_view kEnvelopeKey = "_mailpulse";

// Appends
//   {"_mailpulse":{"received_ms":R,"webhook":"W","message_id":"M"|null,"event_ms":E},<rest of raw>
// where <rest of raw> is `raw` after its opening '{' (whitespace included; no
// comma is added when the object is empty). `raw` must be the exact bytes of
// one JSON object (as produced by the body parser) and `f` its parsed fields.
void AppendEnrichedPayload(std::string& out, const EventFields& f, std::string_view raw,
                           UnixMillis received_ms, std::string_view webhook_name);

// AppendEnrichedPayload for the events of one request, byte for byte: the
// envelope's head, the same for all of them (received_ms and webhook), is
// formatted once instead of per event.
class EnrichedPayloadWriter {
 public:
  EnrichedPayloadWriter(UnixMillis received_ms, std::string_view webhook_name);
  void Append(std::string& out, const EventFields& f, std::string_view raw) const;

 private:
  std::string head_;  // {"_mailpulse":{"received_ms":R,"webhook":"W"
};

// Appends
//   {"_mailpulse":{"received_ms":R,"webhook":"W","error":"<reason>"},"raw":<raw>}
// where <raw> is the element's bytes when they are one valid JSON value on
// their own, else those bytes as a JSON string.
void AppendRejectedPayload(std::string& out, std::string_view raw, std::string_view reason,
                           UnixMillis received_ms, std::string_view webhook_name);

}  // namespace mailpulse
