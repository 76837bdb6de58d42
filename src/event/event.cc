#include "event/event.h"

#include <charconv>

namespace mailpulse {

int64_t NormalizeTimestampMillis(int64_t value) {
  if (value > kMillisThreshold || value < -kMillisThreshold) return value;
  return value * 1000;
}

std::string_view MessageIdOf(std::string_view sg_message_id) {
  return sg_message_id.substr(0, sg_message_id.find('.'));
}

std::optional<std::string> ValidateEvent(const EventFields& f, UnixMillis received_ms) {
  if (!f.has_event) return std::string(reject_reason::kMissingEvent);
  if (f.event.empty()) return std::string(reject_reason::kEventEmpty);
  if (!f.has_timestamp) return std::string(reject_reason::kMissingTimestamp);
  if (f.timestamp_ms < kMinEventMillis || f.timestamp_ms > received_ms + kMaxFutureSkewMillis) {
    return std::string(reject_reason::kTimestampOutOfRange);
  }
  return std::nullopt;
}

std::string_view PartitionKeyView(const EventFields& f) {
  std::string_view key;
  if (!f.message_id.empty()) {
    key = f.message_id;
  } else if (!f.email.empty()) {
    key = f.email;
  } else if (!f.sg_event_id.empty()) {
    key = f.sg_event_id;
  } else {
    key = "_none";
  }
  return key.substr(0, kMaxPartitionKeyBytes);
}

std::string PartitionKey(const EventFields& f) { return std::string(PartitionKeyView(f)); }

void AppendDedupeKey(std::string& out, const EventFields& f) {
  if (!f.sg_event_id.empty() && f.sg_event_id.front() != kFallbackKeyPrefix) {
    out.append(f.sg_event_id);
    return;
  }
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), f.timestamp_ms);
  (void)ec;  // 24 bytes always hold an int64
  out.reserve(out.size() + 5 + f.message_id.size() + f.event.size() + (end - digits) +
              f.email.size() + f.url.size());
  out.push_back(kFallbackKeyPrefix);
  out.append(f.message_id);
  out.push_back(kFallbackKeySeparator);
  out.append(f.event);
  out.push_back(kFallbackKeySeparator);
  out.append(digits, end);
  out.push_back(kFallbackKeySeparator);
  out.append(f.email);
  out.push_back(kFallbackKeySeparator);
  out.append(f.url);
}

std::string DedupeKey(const EventFields& f) {
  std::string key;
  AppendDedupeKey(key, f);
  return key;
}

}  // namespace mailpulse
