// Strong types for stream positions, so a shard id is never passed where a
// sequence number belongs.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mailpulse {

template <typename Tag, typename Rep>
class StrongInt {
 public:
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongInt&) const = default;

 private:
  Rep v_{};
};

struct ShardIdTag {};

// Index of a shard within one stream, 0-based.
using ShardId = StrongInt<ShardIdTag, uint32_t>;
// A record's position within its shard: strictly increasing; zero means
// "none". The embedded log and Kafka (offset + 1) count in 64 bits; Kinesis
// hands out decimal strings of up to 129 digits (about 56 in practice), so a
// number that does not fit in 64 bits is kept as its canonical digits.
// ShardEnd() is the checkpoint of a closed shard consumed to its end (KCL's
// SHARD_END): it orders above every number.
class SequenceNumber {
 public:
  SequenceNumber() = default;
  explicit SequenceNumber(uint64_t v) : small_(v) {}

  // Canonical decimal digits (no sign, no leading zero except "0", at most
  // 129 digits, Kinesis' pattern); nullopt otherwise.
  static std::optional<SequenceNumber> FromDecimal(std::string_view digits);
  static SequenceNumber ShardEnd();

  bool is_zero() const { return small_ == 0 && big_.empty(); }
  bool is_shard_end() const { return big_ == kShardEndText; }
  bool fits_u64() const { return big_.empty(); }
  // Precondition: fits_u64() (the embedded log, Kafka). Aborts otherwise.
  uint64_t u64() const;
  // Decimal digits, or "SHARD_END".
  std::string ToString() const;
  // Decimal zero-padded to `width` (sortable names); wider numbers unpadded.
  std::string ToPadded(size_t width) const;

  std::strong_ordering operator<=>(const SequenceNumber& o) const;
  bool operator==(const SequenceNumber& o) const { return small_ == o.small_ && big_ == o.big_; }

 private:
  static constexpr std::string_view kShardEndText = "SHARD_END";
  uint64_t small_ = 0;
  std::string big_;  // digits when above 2^64-1, or kShardEndText
};

// A consumer's position on every shard it has read: the last sequence number
// it fully processed (ShardEnd() for a closed shard consumed to its end).
using StreamPositions = std::map<ShardId, SequenceNumber>;

// Milliseconds since the Unix epoch, UTC.
using UnixMillis = int64_t;

}  // namespace mailpulse

template <typename Tag, typename Rep>
struct std::hash<mailpulse::StrongInt<Tag, Rep>> {
  size_t operator()(const mailpulse::StrongInt<Tag, Rep>& v) const noexcept {
    return std::hash<Rep>()(v.value());
  }
};
