// LakeLineFormatter: turns one stream record into one line of a lake object
// and the values its prefix is built from (docs/formats/lake-object.md,
// "Lines").
//
// Event line: the record payload with the `_mailpulse` envelope flattened
// into top-level `mp_*` members (Athena's JSON SerDe and Hive refuse column
// names starting with '_'; flat columns need no struct access in SQL):
//   {"mp_received_ms":R,"mp_webhook":"W","mp_message_id":"M"|null,"mp_event_ms":E,<original
//   members>}
// Raw CR/LF bytes (JSON whitespace between tokens) become spaces so that one
// event is exactly one line.
//
// Error line (what goes under the error prefix):
//   from the error-output stream: the rejected record, flattened the same
//     way: {"mp_received_ms":R,"mp_webhook":"W","mp_error":"<reason>","raw":...}
//   a record delivery cannot use (no envelope, unparseable, invalid):
//     {"mp_received_ms":<arrival>,"mp_error":"delivery: <reason>","raw":<payload>}
//     raw is the payload as-is when it is valid JSON, else as a JSON string.
//
// Not thread-safe (holds a parser); one per delivery thread. Views in the
// result point into the formatter and into the record: they stay valid until
// the next call and while the record lives.
#pragma once

#include <string>
#include <string_view>

#include "delivery/prefix_template.h"
#include "event/webhook_body.h"
#include "stream/stream.h"

namespace mailpulse {

struct FormattedRecord {
  bool error = false;   // goes under the error prefix
  std::string line;     // no trailing newline
  PrefixValues values;  // keys and event time; arrival_ms is the record's
};

class LakeLineFormatter {
 public:
  // `fast_scan` false: every event goes through the full parser; tests use
  // it as the reference for the fast path (delivery/event_scan.h).
  explicit LakeLineFormatter(bool fast_scan = true) : fast_scan_(fast_scan) {}

  // A record of the events stream.
  void FormatEvent(const StreamRecord& r, FormattedRecord* out);
  // A record of the error-output stream (always an error line).
  void FormatRejected(const StreamRecord& r, FormattedRecord* out);

 private:
  void FormatUndeliverable(const StreamRecord& r, std::string_view reason, bool payload_is_json,
                           FormattedRecord* out);

  bool fast_scan_;
  WebhookBodyParser parser_;
  BodyElement element_;
  EventFields scanned_;
  std::string event_type_;
};

// Rewrites `{"_mailpulse":{"k":v,...},rest` as `{"mp_k":v,...,rest` into
// *out (replacing its contents), CR/LF outside strings as spaces; *webhook
// views the envelope's webhook name inside `payload`. False when the payload
// does not start with the envelope.
bool FlattenEnvelope(std::string_view payload, std::string* out, std::string_view* webhook);

}  // namespace mailpulse
