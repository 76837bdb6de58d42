// S3 Select's response framing: the AWS event stream
// (docs/query.md, "S3 Select on the wire"; facts in AWS's
// RESTSelectObjectAppendix). A SelectObjectContent response body is a
// sequence of messages:
//
//   [total length u32 BE][headers length u32 BE][prelude CRC32 u32 BE]
//   [headers][payload][message CRC32 u32 BE]
//
// CRC32 is the IEEE/gzip polynomial; the prelude CRC covers the first 8
// bytes, the message CRC everything before it. A header is
// [name length u8][name][type u8 = 7, string][value length u16 BE][value].
//
// Encoders build one message each (Records, Cont, Progress, Stats, End, and
// the request-level error); DecodeEventStream reads a whole body back,
// checking every length and CRC, for tests and tools. Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mailpulse {

using EventHeader = std::pair<std::string_view, std::string_view>;

// One message with string-typed headers, in the order given.
std::string EncodeEventMessage(std::span<const EventHeader> headers, std::string_view payload);

// AWS SDKs (Java in particular) refuse Records messages above this size, so
// longer output is split over several (MinIO uses the same bound).
inline constexpr size_t kMaxRecordsPayload = (128u << 10) - 256;

struct SelectStats {
  uint64_t bytes_scanned = 0;    // object bytes read, before decompression
  uint64_t bytes_processed = 0;  // after decompression
  uint64_t bytes_returned = 0;   // Records payload bytes sent
};

// Appends Records messages carrying `payload`, split at kMaxRecordsPayload.
void AppendRecordsEvents(std::string_view payload, std::string* out);
std::string ContEvent();
std::string EndEvent();
std::string StatsEvent(const SelectStats& stats);
std::string ProgressEvent(const SelectStats& stats);
// A request-level error after the 200 was sent: no End follows it.
std::string ErrorEvent(std::string_view code, std::string_view message);

struct DecodedEvent {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;
  // The value of header `name`, or "" when absent.
  std::string_view header(std::string_view name) const;
};

// Every message of `body`; kInvalid naming the offset of a bad length, CRC,
// header type or a truncated message.
Result<std::vector<DecodedEvent>> DecodeEventStream(std::string_view body);

}  // namespace mailpulse
