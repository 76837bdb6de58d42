// Strong types for stream positions, so a shard id is never passed where a
// sequence number belongs.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

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
struct SequenceNumberTag {};

// Index of a shard within one stream, 0-based.
using ShardId = StrongInt<ShardIdTag, uint32_t>;
// Per-shard record position: strictly increasing, starts at 1 (0 means "none").
using SequenceNumber = StrongInt<SequenceNumberTag, uint64_t>;

// Milliseconds since the Unix epoch, UTC.
using UnixMillis = int64_t;

}  // namespace mailpulse

template <typename Tag, typename Rep>
struct std::hash<mailpulse::StrongInt<Tag, Rep>> {
  size_t operator()(const mailpulse::StrongInt<Tag, Rep>& v) const noexcept {
    return std::hash<Rep>()(v.value());
  }
};
