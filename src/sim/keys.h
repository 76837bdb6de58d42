// Key pairs and signing for the Signed Event Webhook, i.e. SendGrid's side of
// ingest/signature.h: `mailpulse keygen` makes a pair, the simulator signs
// with the private half, and the server is configured with the public half.
//
// The public key is formatted exactly as the SendGrid UI shows it (base64 DER
// SubjectPublicKeyInfo, "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE..."), so a
// configuration written for the simulator works unchanged for real SendGrid.
// A Signer is immutable; copies share the key; Sign is safe to call from
// several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace mailpulse {

struct KeyPair {
  std::string private_pem;    // PKCS#8 "-----BEGIN PRIVATE KEY-----"
  std::string public_base64;  // base64 DER SPKI, as SendGrid shows it
};

// A fresh P-256 key pair. Status::Fail if OpenSSL cannot make one.
Result<KeyPair> GenerateKeyPair();

class Signer {
 public:
  // PKCS#8 or SEC1 PEM of a P-256 private key; Status::Invalid otherwise.
  static Result<Signer> FromPrivatePem(std::string_view pem);

  // base64 DER ECDSA signature over timestamp||body (SHA-256), the value of
  // the X-Twilio-Email-Event-Webhook-Signature header.
  Result<std::string> Sign(std::string_view timestamp, std::string_view body) const;

  // The matching public key, base64 DER SPKI.
  Result<std::string> PublicKeyBase64() const;

 private:
  explicit Signer(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace mailpulse
