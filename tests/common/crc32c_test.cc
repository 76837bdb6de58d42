#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace mailpulse {
namespace {

TEST(Crc32cTest, StandardCheckValue) { EXPECT_EQ(crc32c::Value("123456789"), 0xE3069283u); }

TEST(Crc32cTest, ThirtyTwoZeros) {
  std::string z(32, '\0');
  EXPECT_EQ(crc32c::Value(z), 0x8A9136AAu);
}

TEST(Crc32cTest, ThirtyTwoOnes) {
  std::string f(32, '\xff');
  EXPECT_EQ(crc32c::Value(f), 0x62A8AB43u);  // RFC 3720 B.4
}

TEST(Crc32cTest, IncreasingBytes) {
  std::string s;
  for (int i = 0; i < 32; ++i) s.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c::Value(s), 0x46DD794Eu);  // RFC 3720 B.4
}

TEST(Crc32cTest, EmptyIsZero) { EXPECT_EQ(crc32c::Value(""), 0u); }

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string s = "hello, mailpulse stream log with some bytes";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    uint32_t a = crc32c::Value(s.data(), cut);
    EXPECT_EQ(crc32c::Extend(a, s.data() + cut, s.size() - cut), crc32c::Value(s)) << cut;
  }
}

TEST(Crc32cTest, HardwareAndTableAgree) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>(i * 31 + 7));
  for (size_t off = 0; off < 9; ++off) {
    for (size_t len : {0ul, 1ul, 7ul, 8ul, 9ul, 63ul, 500ul}) {
      EXPECT_EQ(crc32c::Extend(0x1234, s.data() + off, len),
                crc32c::ExtendPortableForTest(0x1234, s.data() + off, len));
    }
  }
}

}  // namespace
}  // namespace mailpulse
