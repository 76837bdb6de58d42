#include "ingest/signature.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "common/base64.h"

namespace mailpulse {
namespace {

// One official SendGrid vector from tests/data/sendgrid/ (copied from the
// SDK test suites; payloads stored as base64 so their \r\n survive).
struct Vector {
  std::string key, signature, timestamp, payload;
};

std::string HexSha256(std::string_view s) {
  unsigned char d[32];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Vector Load(const std::string& name) {
  std::string path = std::string(MAILPULSE_TEST_DATA) + "/sendgrid/vector_" + name + ".json";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(ss.str());
  Vector v;
  v.key = std::string(std::string_view(doc["public_key"]));
  v.signature = std::string(std::string_view(doc["signature"]));
  v.timestamp = std::string(std::string_view(doc["timestamp"]));
  v.payload = Base64Decode(std::string_view(doc["payload_base64"])).value();
  // Proves the payload was copied byte for byte.
  EXPECT_EQ(HexSha256(v.payload), std::string_view(doc["payload_sha256"])) << name;
  return v;
}

SignatureVerifier Verifier(const std::string& key) {
  Result<SignatureVerifier> v = SignatureVerifier::FromBase64Key(key);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return std::move(v).value();
}

TEST(SignatureTest, VectorAValid) {
  Vector a = Load("a");
  EXPECT_EQ(a.payload.size(), 327u);
  EXPECT_TRUE(Verifier(a.key).Verify(a.timestamp, a.payload, a.signature).ok());
}

TEST(SignatureTest, VectorAInvalidWithoutTrailingCrlf) {
  Vector a = Load("a");
  ASSERT_EQ(a.payload.substr(a.payload.size() - 2), "\r\n");
  std::string trimmed = a.payload.substr(0, a.payload.size() - 2);
  Status s = Verifier(a.key).Verify(a.timestamp, trimmed, a.signature);
  EXPECT_EQ(s.kind(), ErrorKind::kForbidden) << s.ToString();
}

TEST(SignatureTest, VectorAInvalidPayloadAndTimestamp) {
  Vector a = Load("a");
  SignatureVerifier v = Verifier(a.key);
  EXPECT_EQ(v.Verify(a.timestamp, "payload", a.signature).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(v.Verify("timestamp", a.payload, a.signature).kind(), ErrorKind::kForbidden);
}

TEST(SignatureTest, VectorAEmptyTimestampIsUnauthorized) {
  Vector a = Load("a");
  Status s = Verifier(a.key).Verify("", a.payload, a.signature);
  EXPECT_EQ(s.kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(s.message(), "missing X-Twilio-Email-Event-Webhook-Timestamp header");
}

TEST(SignatureTest, VectorAWrongKey) {
  Vector a = Load("a");
  SignatureVerifier v = Verifier(
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REn"
      "tlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==");
  EXPECT_EQ(v.Verify(a.timestamp, a.payload, a.signature).kind(), ErrorKind::kForbidden);
}

TEST(SignatureTest, VectorAWrongSignatures) {
  Vector a = Load("a");
  SignatureVerifier v = Verifier(a.key);
  // node, python, java, ruby
  EXPECT_EQ(
      v.Verify(a.timestamp, a.payload,
               "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRa"
               "mr2nlxFDWYNH3j/0=")
          .kind(),
      ErrorKind::kForbidden);
  // C#
  EXPECT_EQ(
      v.Verify(a.timestamp, a.payload,
               "MEQCIB3bJQOarffIdM7+MEee+kYAdoViz6RUoScOASwMcXQxAiAcrus/j853JUlVm5qIRfbKBJwJq89"
               "znqOTedy3RetXLQ==")
          .kind(),
      ErrorKind::kForbidden);
  // PHP: decodes as base64 but is not DER.
  Status php =
      v.Verify(a.timestamp, a.payload,
               "BADSIGNATURE+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAb"
               "PIqHh89M15TluLtEZtM=");
  EXPECT_EQ(php.kind(), ErrorKind::kForbidden);
  EXPECT_FALSE(php.message().empty());
}

TEST(SignatureTest, VectorASignatureWithAppendedTextIsUndecodable) {
  Vector a = Load("a");
  Status s = Verifier(a.key).Verify(a.timestamp, a.payload, a.signature + "causing failure");
  EXPECT_EQ(s.kind(), ErrorKind::kForbidden);
  EXPECT_NE(s.message().find("not base64"), std::string::npos) << s.message();
}

TEST(SignatureTest, EmptySignatureIsUnauthorized) {
  Vector a = Load("a");
  Status s = Verifier(a.key).Verify(a.timestamp, a.payload, "");
  EXPECT_EQ(s.kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(s.message(), "missing X-Twilio-Email-Event-Webhook-Signature header");
}

TEST(SignatureTest, VectorBValidMultiEvent) {
  Vector b = Load("b");
  EXPECT_EQ(b.payload.size(), 889u);
  EXPECT_NE(b.payload.find("},\r\n{"), std::string::npos);
  EXPECT_TRUE(Verifier(b.key).Verify(b.timestamp, b.payload, b.signature).ok());
}

TEST(SignatureTest, VectorCValidNonArray) {
  Vector c = Load("c");
  EXPECT_EQ(c.payload.size(), 77u);
  EXPECT_TRUE(Verifier(c.key).Verify(c.timestamp, c.payload, c.signature).ok());
}

TEST(SignatureTest, VectorDValidRealSendGridPost) {
  Vector d = Load("d");
  EXPECT_EQ(d.payload.size(), 3741u);
  EXPECT_TRUE(Verifier(d.key).Verify(d.timestamp, d.payload, d.signature).ok());
  // A key from another webhook does not verify it.
  Vector a = Load("a");
  EXPECT_EQ(Verifier(a.key).Verify(d.timestamp, d.payload, d.signature).kind(),
            ErrorKind::kForbidden);
}

TEST(SignatureTest, CopiesShareTheKey) {
  Vector a = Load("a");
  SignatureVerifier v = Verifier(a.key);
  SignatureVerifier copy = v;
  SignatureVerifier moved = std::move(v);
  EXPECT_TRUE(copy.Verify(a.timestamp, a.payload, a.signature).ok());
  EXPECT_TRUE(moved.Verify(a.timestamp, a.payload, a.signature).ok());
}

TEST(SignatureTest, BadKeysAreInvalid) {
  for (const char* bad : {"", "not base64!", "Zm9vYmFy",
                          // a truncated P-256 SPKI
                          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ=="}) {
    Result<SignatureVerifier> r = SignatureVerifier::FromBase64Key(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), ErrorKind::kInvalid) << bad;
  }
  Result<SignatureVerifier> empty = SignatureVerifier::FromBase64Key("  ");
  EXPECT_EQ(empty.status().message(), "webhook verification key is empty");
}

TEST(SignatureTest, NonP256KeyIsInvalid) {
  // secp384r1 SPKI (a valid EC key, wrong curve).
  const char* p384 =
      "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEDXJ42f2kucrcg4OKLR/Oxf0pCIO4L4AuXTjdurxGomyUkq3z2y/G96/ZB"
      "6VXqt4gdChjvvMDXaEzFrQU3f0Ejahb3JBlXXTWtyYeyx0Puj0A9n9pU3a2VrpOijpUQsyk";
  Result<SignatureVerifier> r = SignatureVerifier::FromBase64Key(p384);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalid);
  EXPECT_NE(r.status().message().find("P-256"), std::string::npos) << r.status().message();
}

TEST(SignatureTest, TimestampAgeCheck) {
  const UnixMillis now = 1600112502000;
  EXPECT_TRUE(CheckTimestampAge("1600112502", now, 300).ok());
  EXPECT_TRUE(CheckTimestampAge("1600112202", now, 300).ok());  // exactly at the limit
  Status old = CheckTimestampAge("1600112201", now, 300);
  EXPECT_EQ(old.kind(), ErrorKind::kForbidden);
  EXPECT_EQ(old.message(), "signature timestamp is 301 s old, limit 300 s");
  EXPECT_TRUE(CheckTimestampAge("1600112802", now, 300).ok());  // 5 min ahead
  EXPECT_EQ(CheckTimestampAge("1600112803", now, 300).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(CheckTimestampAge("timestamp", now, 300).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(CheckTimestampAge("", now, 300).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(CheckTimestampAge("16001125x2", now, 300).kind(), ErrorKind::kForbidden);
  EXPECT_TRUE(CheckTimestampAge("timestamp", now, 0).ok());  // check off
  EXPECT_TRUE(CheckTimestampAge("1", now, 0).ok());
}

}  // namespace
}  // namespace mailpulse
