#include "stream/stream.h"

#include <openssl/evp.h>

#include <algorithm>

namespace mailpulse {
namespace {

using u128 = unsigned __int128;

// One fetched MD5 and one context per thread: EVP_Digest's implicit fetch
// and context allocation cost 3x the hash itself, and this runs per event.
struct Md5Context {
  EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Md5Context() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

u128 HashKey(std::string_view key) {
  thread_local Md5Context md5;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (md5.md == nullptr || md5.ctx == nullptr || EVP_DigestInit_ex2(md5.ctx, md5.md, nullptr) != 1 ||
      EVP_DigestUpdate(md5.ctx, key.data(), key.size()) != 1 ||
      EVP_DigestFinal_ex(md5.ctx, md, &len) != 1 || len != 16) {
    return 0;  // MD5 unavailable (FIPS-only provider): everything maps to shard 0
  }
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
