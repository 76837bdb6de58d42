#include "sim/keys.h"

#include <gtest/gtest.h>

#include "common/base64.h"
#include "ingest/signature.h"

namespace mailpulse {
namespace {

TEST(SimKeysTest, GeneratedPairLooksLikeSendGrids) {
  KeyPair pair = GenerateKeyPair().value();
  EXPECT_EQ(pair.public_base64.rfind("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", 0), 0u);
  EXPECT_EQ(pair.public_base64.size(), 124u);  // 91 DER bytes
  EXPECT_EQ(pair.private_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  EXPECT_NE(GenerateKeyPair().value().public_base64, pair.public_base64);
}

TEST(SimKeysTest, SignedBodiesVerify) {
  KeyPair pair = GenerateKeyPair().value();
  Signer signer = Signer::FromPrivatePem(pair.private_pem).value();
  EXPECT_EQ(signer.PublicKeyBase64().value(), pair.public_base64);
  SignatureVerifier verifier = SignatureVerifier::FromBase64Key(pair.public_base64).value();
  const std::string body = "[{\"event\":\"open\"},\r\n{\"event\":\"click\"}]\r\n";
  std::string sig = signer.Sign("1700000000", body).value();
  std::string der = Base64Decode(sig).value();
  EXPECT_GE(der.size(), 68u);
  EXPECT_LE(der.size(), 72u);
  EXPECT_EQ(der[0], 0x30);  // DER SEQUENCE
  EXPECT_TRUE(verifier.Verify("1700000000", body, sig).ok());
  EXPECT_EQ(verifier.Verify("1700000000", body + " ", sig).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(verifier.Verify("1700000001", body, sig).kind(), ErrorKind::kForbidden);
  std::string tampered = body;
  tampered[3] = 'E';
  EXPECT_EQ(verifier.Verify("1700000000", tampered, sig).kind(), ErrorKind::kForbidden);
}

TEST(SimKeysTest, BadPrivateKeysAreInvalid) {
  EXPECT_EQ(Signer::FromPrivatePem("").status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(Signer::FromPrivatePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .status()
                .kind(),
            ErrorKind::kInvalid);
}

}  // namespace
}  // namespace mailpulse
