#include "common/types.h"

#include <cstdio>
#include <cstdlib>

namespace mailpulse {

std::optional<SequenceNumber> SequenceNumber::FromDecimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 129) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  // 2^64-1 = 18446744073709551615 (20 digits).
  constexpr std::string_view kMax = "18446744073709551615";
  if (digits.size() < kMax.size() || (digits.size() == kMax.size() && digits <= kMax)) {
    uint64_t v = 0;
    for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
    return SequenceNumber(v);
  }
  SequenceNumber s;
  s.big_ = std::string(digits);
  return s;
}

SequenceNumber SequenceNumber::ShardEnd() {
  SequenceNumber s;
  s.big_ = std::string(kShardEndText);
  return s;
}

uint64_t SequenceNumber::u64() const {
  if (!big_.empty()) {
    std::fprintf(stderr, "SequenceNumber::u64() on %s, which does not fit in 64 bits\n",
                 big_.c_str());
    std::abort();
  }
  return small_;
}

std::string SequenceNumber::ToString() const {
  return big_.empty() ? std::to_string(small_) : big_;
}

std::string SequenceNumber::ToPadded(size_t width) const {
  std::string s = ToString();
  if (big_.empty() && s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

std::strong_ordering SequenceNumber::operator<=>(const SequenceNumber& o) const {
  bool end = is_shard_end(), oend = o.is_shard_end();
  if (end || oend)
    return end == oend ? std::strong_ordering::equal
           : end       ? std::strong_ordering::greater
                       : std::strong_ordering::less;
  if (big_.empty() && o.big_.empty()) return small_ <=> o.small_;
  if (big_.empty()) return std::strong_ordering::less;  // every big number exceeds 2^64-1
  if (o.big_.empty()) return std::strong_ordering::greater;
  if (big_.size() != o.big_.size()) return big_.size() <=> o.big_.size();
  int c = big_.compare(o.big_);
  return c < 0   ? std::strong_ordering::less
         : c > 0 ? std::strong_ordering::greater
                 : std::strong_ordering::equal;
}

}  // namespace mailpulse
