// SendGrid Signed Event Webhook verification.
//
// SendGrid signs `timestamp_header || raw_body` (no separator) with ECDSA
// P-256 / SHA-256. The public key shown in the SendGrid UI is base64 DER
// SubjectPublicKeyInfo; the X-Twilio-Email-Event-Webhook-Signature header is
// base64 DER ECDSA-Sig-Value. High-S signatures occur in real traffic and are
// accepted (OpenSSL does not enforce low-S). Only the untouched body bytes
// verify: never re-serialise the JSON before calling Verify.
// See docs: shared reference "Signed Event Webhook (ECDSA)".
//
// Thread-safety: a SignatureVerifier is immutable after construction; copies
// share the parsed key, and each Verify uses its own digest context, so any
// number of threads may call Verify concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "common/types.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace mailpulse {

inline constexpr std::string_view kSignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
inline constexpr std::string_view kTimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

class SignatureVerifier {
 public:
  // `spki_base64`: the verification key exactly as SendGrid shows it
  // ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE..."). Surrounding whitespace is
  // ignored. Status::Invalid if it is not base64, not an SPKI, or not P-256.
  static Result<SignatureVerifier> FromBase64Key(std::string_view spki_base64);

  // Ok if `signature_base64` is a valid signature of timestamp||body.
  // Unauthorized when the signature or timestamp header is missing/empty,
  // Forbidden when the signature is undecodable or does not match.
  Status Verify(std::string_view timestamp_header, std::string_view body,
                std::string_view signature_base64) const;

 private:
  explicit SignatureVerifier(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// Replay protection SendGrid's SDKs do not do: refuses a signed timestamp
// older than `max_age_seconds` (0 disables the check) or more than 5 minutes
// in the future. A timestamp that is not a decimal number of seconds is
// Forbidden when the check is on.
Status CheckTimestampAge(std::string_view timestamp_header, UnixMillis now,
                         int64_t max_age_seconds);

}  // namespace mailpulse
