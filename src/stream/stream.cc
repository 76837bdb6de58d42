#include "stream/stream.h"

#include <algorithm>

#include "common/md5.h"

namespace mailpulse {
namespace {

using u128 = unsigned __int128;

u128 HashKey(std::string_view key) {
  const std::array<uint8_t, 16> md = Md5(key);
  u128 v = 0;
  for (int i = 0; i < 16; ++i) v = (v << 8) | md[i];
  return v;
}

u128 RangeWidth(uint32_t n) {
  // floor(2^128 / n) without overflowing: (2^128 - 1) / n, plus one when n divides 2^128.
  const u128 max = ~static_cast<u128>(0);
  u128 w = max / n;
  if (max % n == static_cast<u128>(n - 1)) ++w;
  return w;
}

std::string Decimal(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v != 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

}  // namespace

ShardId ShardForKey(std::string_view partition_key, uint32_t shard_count) {
  if (shard_count <= 1) return ShardId(0);
  u128 i = HashKey(partition_key) / RangeWidth(shard_count);
  return ShardId(static_cast<uint32_t>(std::min<u128>(i, shard_count - 1)));
}

std::pair<std::string, std::string> ShardHashKeyRange(uint32_t shard, uint32_t shard_count) {
  if (shard_count == 0) return {"0", "0"};
  const u128 w = shard_count == 1 ? 0 : RangeWidth(shard_count);
  const u128 start = static_cast<u128>(shard) * w;
  const u128 end = shard + 1 >= shard_count ? ~static_cast<u128>(0) : start + w - 1;
  return {Decimal(start), Decimal(end)};
}

ShardId Stream::ShardFor(std::string_view partition_key) const {
  return ShardForKey(partition_key, shard_count());
}

}  // namespace mailpulse
