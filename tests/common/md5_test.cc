#include "common/md5.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>

namespace mailpulse {
namespace {

std::string Hex(const std::array<uint8_t, 16>& d) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

// RFC 1321 appendix A.5 test suite.
TEST(Md5Test, Rfc1321Suite) {
  EXPECT_EQ(Hex(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Hex(Md5("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Hex(Md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Hex(Md5("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Hex(Md5("abcdefghijklmnopqrstuvwxyz")), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Hex(Md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(
      Hex(Md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
      "57edf4a22be3c955ac49da2e2107b67a");
}

// Every length around the padding boundaries agrees with OpenSSL.
TEST(Md5Test, MatchesOpenSslForEveryLengthUpTo300) {
  std::mt19937 rng(7);
  for (size_t len = 0; len <= 300; ++len) {
    std::string s(len, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    ASSERT_EQ(EVP_Digest(s.data(), s.size(), md, &n, EVP_md5(), nullptr), 1);
    std::array<uint8_t, 16> want;
    std::copy(md, md + 16, want.begin());
    EXPECT_EQ(Md5(s), want) << "length " << len;
  }
}

}  // namespace
}  // namespace mailpulse
