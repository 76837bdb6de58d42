// PrefixTemplate: Firehose's custom S3 prefix expressions
// (docs/formats/lake-object.md, "Prefixes").
//
//   !{timestamp:PATTERN}          arrival time of the OLDEST record of the
//                                 object, UTC, as a Java DateTimeFormatter
//                                 subset: y u M d D H h m s S a E, 'quoted'
//                                 literals, '' for a quote
//   !{event_timestamp:PATTERN}    mailpulse extension: the record's event
//                                 time (SendGrid `timestamp`), so objects are
//                                 partitioned by when things happened
//   !{firehose:error-output-type} error prefix only
//   !{firehose:random-string}     11 random characters, new at every use —
//                                 defeats exactly-once object names (a replay
//                                 writes a second key); allowed, documented
//   !{partitionKeyFromQuery:K}    K in event_type, campaign, category, webhook
//
// Firehose's rules are applied by Parse: a data prefix without a timestamp
// expression gets `yyyy/MM/dd/HH/` appended; the error prefix must name
// `!{firehose:error-output-type}` and may not use partition keys; the data
// prefix may not use the error type; `!{` outside an expression is invalid.
// ParsePair derives the error prefix when none is given.
//
// Immutable after Parse; Evaluate is thread-safe (random strings come from a
// thread-local generator).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace mailpulse {

// Dynamic partition keys taken from the event (partitionKeyFromQuery names).
enum class PartitionKey { kEventType = 0, kCampaign, kCategory, kWebhook };
inline constexpr size_t kPartitionKeyCount = 4;
const char* PartitionKeyName(PartitionKey k);

struct PrefixValues {
  UnixMillis arrival_ms = 0;  // oldest record of the object
  UnixMillis event_ms = 0;    // the record's event time (event_timestamp)
  std::string_view error_output_type;
  std::array<std::string_view, kPartitionKeyCount> keys{};  // already made key-safe
};

class PrefixTemplate {
 public:
  enum class Kind { kData, kError };

  // Applies Firehose's validation rules for the given kind (see above).
  static Result<PrefixTemplate> Parse(std::string_view text, Kind kind);
  // Firehose's pairing rules: an empty data prefix means `yyyy/MM/dd/HH/`;
  // an empty error prefix is allowed only when the data prefix has no
  // expression and then is `<prefix>/!{firehose:error-output-type}/yyyy/MM/dd/HH/`.
  static Status ParsePair(std::string_view prefix, std::string_view error_prefix,
                          PrefixTemplate* data, PrefixTemplate* error);

  std::string Evaluate(const PrefixValues& v) const;
  // The part of the prefix that depends on the record alone (partition keys,
  // event time): records with equal group keys share one object.
  std::string GroupKey(const PrefixValues& v) const;
  // GroupKey appended to `out` (no allocation once `out` has grown).
  void AppendGroupKey(std::string& out, const PrefixValues& v) const;

  bool uses_random() const { return uses_random_; }
  bool uses_event_time() const { return uses_event_time_; }
  const std::string& text() const { return text_; }

  PrefixTemplate() = default;

 private:
  enum class Op { kLiteral, kTimestamp, kEventTimestamp, kErrorType, kRandom, kKey };
  struct Part {
    Op op;
    std::string text;  // literal text, or the date pattern
    PartitionKey key = PartitionKey::kEventType;
  };
  static Status ParseInto(std::string_view text, PrefixTemplate* out);

  std::string text_;
  std::vector<Part> parts_;
  bool has_timestamp_ = false;
  bool uses_random_ = false;
  bool uses_event_time_ = false;
  bool uses_error_type_ = false;
  bool uses_keys_ = false;
};

// Formats `ms` (UTC) with a DateTimeFormatter subset pattern; kInvalid names
// an unsupported letter or an unterminated quote.
Result<std::string> FormatTimestamp(std::string_view pattern, UnixMillis ms);
// Checks a pattern without formatting.
Status ValidateTimestampPattern(std::string_view pattern);

// Makes a partition value usable as one key segment: bytes outside
// [A-Za-z0-9._-] become %XX (Hive's escaping), empty becomes
// __HIVE_DEFAULT_PARTITION__ (Hive/Athena/Spark read it as NULL), and the
// result is cut to 128 bytes. Appends to out.
void AppendPartitionValue(std::string& out, std::string_view value);

}  // namespace mailpulse
