// VerifySigV4 accepts what SigV4Signer signs, and refuses every tampering.
#include "storage/s3/sigv4_verify.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <map>

#include "storage/s3/sigv4.h"

namespace mailpulse {
namespace {

constexpr UnixMillis kNow = 1764834410000;  // 2025-12-04T07:46:50Z

struct Signed {
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body = "<SelectObjectContentRequest/>";
  std::string path = "/lake/events/a%3Db/x.json.gz";
  std::string query = "select&select-type=2";
};

Signed Sign(std::string_view secret, bool content_sha = true) {
  Signed s;
  AwsCredentials c{"AKIDEXAMPLE", std::string(secret), "", "test"};
  SigV4Config cfg = SigV4Config::ForS3("us-east-1");
  cfg.add_content_sha256_header = content_sha;
  SigV4Request r;
  r.method = "POST";
  r.path = s.path;
  r.query = {{"select", ""}, {"select-type", "2"}};
  r.headers = {{"host", "127.0.0.1:8080"}, {"content-type", "application/xml"}};
  // The real hash of the body, so the body check passes.
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.body.data()), s.body.size(), d);
  static const char* kHex = "0123456789abcdef";
  r.payload_hash.clear();
  for (unsigned char ch : d) {
    r.payload_hash += kHex[ch >> 4];
    r.payload_hash += kHex[ch & 15];
  }
  SigV4Signer(c, cfg).Sign(&r, kNow);
  for (auto& [k, v] : r.headers) {
    std::string lower = k;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    s.headers[lower] = v;
  }
  return s;
}

Status Verify(const Signed& s, std::string_view secret, UnixMillis now = kNow) {
  SigV4IncomingRequest in;
  in.method = "POST";
  in.path = s.path;
  in.query = s.query;
  in.body = s.body;
  in.header = [&s](std::string_view name) -> std::string_view {
    std::string lower(name);
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto it = s.headers.find(lower);
    return it == s.headers.end() ? std::string_view() : std::string_view(it->second);
  };
  return VerifySigV4(in, secret, now);
}

TEST(SigV4VerifyTest, AcceptsWhatTheSignerSigns) {
  EXPECT_TRUE(Verify(Sign("t0k"), "t0k").ok());
  EXPECT_TRUE(Verify(Sign("t0k", /*content_sha=*/false), "t0k").ok());
}

TEST(SigV4VerifyTest, RefusesAnotherSecret) {
  Status st = Verify(Sign("t0k"), "other");
  EXPECT_EQ(st.kind(), ErrorKind::kForbidden);
  EXPECT_EQ(st.message().substr(0, 21), "SignatureDoesNotMatch");
}

TEST(SigV4VerifyTest, RefusesTampering) {
  Signed s = Sign("t0k");
  s.query = "select&select-type=3";
  EXPECT_EQ(Verify(s, "t0k").kind(), ErrorKind::kForbidden);
  s = Sign("t0k");
  s.path = "/lake/events/other.json.gz";
  EXPECT_EQ(Verify(s, "t0k").kind(), ErrorKind::kForbidden);
  s = Sign("t0k");
  s.headers["content-type"] = "text/plain";
  EXPECT_EQ(Verify(s, "t0k").kind(), ErrorKind::kForbidden);
  s = Sign("t0k");
  s.body += " ";
  Status st = Verify(s, "t0k");
  EXPECT_EQ(st.kind(), ErrorKind::kForbidden);
  EXPECT_EQ(st.message().substr(0, 25), "XAmzContentSHA256Mismatch");
  s = Sign("t0k", /*content_sha=*/false);
  s.body += " ";
  EXPECT_EQ(Verify(s, "t0k").message().substr(0, 21), "SignatureDoesNotMatch");
}

TEST(SigV4VerifyTest, RefusesSkewedOrMalformedRequests) {
  Signed s = Sign("t0k");
  EXPECT_EQ(Verify(s, "t0k", kNow + 16 * 60 * 1000).message().substr(0, 20),
            "RequestTimeTooSkewed");
  EXPECT_TRUE(Verify(s, "t0k", kNow + 14 * 60 * 1000).ok());
  s.headers.erase("authorization");
  EXPECT_EQ(Verify(s, "t0k").kind(), ErrorKind::kUnauthorized);
  s = Sign("t0k");
  s.headers["authorization"] =
      "AWS4-HMAC-SHA256 Credential=AKID/2025, SignedHeaders=host, Signature=00";
  EXPECT_EQ(Verify(s, "t0k").message().substr(0, 28), "AuthorizationHeaderMalformed");
  s = Sign("t0k");
  s.headers["x-amz-date"] = "20251205T074650Z";  // not the Credential's date
  EXPECT_EQ(Verify(s, "t0k").message().substr(0, 28), "AuthorizationHeaderMalformed");
}

}  // namespace
}  // namespace mailpulse
