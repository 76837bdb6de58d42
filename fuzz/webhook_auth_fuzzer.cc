// Fuzzes the parsers of untrusted webhook credentials: Base64Decode (round
// trip must be exact), signature verification (never Ok for random input
// under a fixed key), and the Authorization header check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/base64.h"
#include "ingest/auth.h"
#include "ingest/signature.h"

using namespace mailpulse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Result<std::string> decoded = Base64Decode(in);
  if (decoded.ok() && Base64Encode(*decoded) != in) std::abort();  // strict = canonical

  static const SignatureVerifier verifier =
      SignatureVerifier::FromBase64Key(
          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe6"
          "2gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==")
          .value();
  size_t cut = size / 2;
  Status s = verifier.Verify("1600112502", in.substr(cut), in.substr(0, cut));
  if (s.ok()) std::abort();  // a forged signature from random bytes
  (void)SignatureVerifier::FromBase64Key(in);
  (void)CheckTimestampAge(in, 1600112502000, 300);

  static const WebhookAuth auth = WebhookAuth::Create("user:pass", {"token"}).value();
  (void)auth.Check(in);
  return 0;
}
