#include "common/base64.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded) << plain;
    Result<std::string> d = Base64Decode(encoded);
    ASSERT_TRUE(d.ok()) << encoded << ": " << d.status().ToString();
    EXPECT_EQ(*d, plain);
  }
}

TEST(Base64Test, BinaryRoundTripUsesPlusAndSlash) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string enc = Base64Encode(all);
  EXPECT_NE(enc.find('+'), std::string::npos);
  EXPECT_NE(enc.find('/'), std::string::npos);
  EXPECT_EQ(Base64Decode(enc).value(), all);
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64Test, RejectsMissingPadding) {
  EXPECT_EQ(Base64Decode("Zg").status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(Base64Decode("Zm8").status().kind(), ErrorKind::kInvalid);
}

TEST(Base64Test, RejectsGarbage) {
  for (const char* bad :
       {"Zm9v!A==", "Zm 9v", "Zm9v\n", "Zm-_", "====", "A===", "Zg=a", "Zg==Zg==", "=Zm9"}) {
    Result<std::string> r = Base64Decode(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), ErrorKind::kInvalid) << bad;
  }
}

TEST(Base64Test, RejectsNonCanonicalTrailingBits) {
  EXPECT_FALSE(Base64Decode("Zh==").ok());  // "Zg==" with a stray low bit
  EXPECT_FALSE(Base64Decode("Zm9=").ok());  // "Zm8=" with a stray low bit
}

}  // namespace
}  // namespace mailpulse
