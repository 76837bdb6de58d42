#include "ingest/signature.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <charconv>
#include <string>

#include "common/base64.h"

namespace mailpulse {
namespace {

constexpr int64_t kMaxFutureSkewSeconds = 300;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<SignatureVerifier> SignatureVerifier::FromBase64Key(std::string_view spki_base64) {
  std::string_view text = Trim(spki_base64);
  if (text.empty()) return Status::Invalid("webhook verification key is empty");
  Result<std::string> der = Base64Decode(text);
  if (!der.ok()) {
    return Status::Invalid("webhook verification key is not base64: " + der.status().message());
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size()));
  if (raw == nullptr) {
    ERR_clear_error();
    return Status::Invalid(
        "webhook verification key is not a DER SubjectPublicKeyInfo (expected the key as "
        "SendGrid shows it, starting with MFkw)");
  }
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  if (p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
    return Status::Invalid("webhook verification key has trailing bytes after the SPKI");
  }
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_EC) {
    return Status::Invalid("webhook verification key is not an EC key (SendGrid uses P-256)");
  }
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_group_name(raw, group, sizeof(group), &group_len) != 1 ||
      std::string_view(group, group_len) != SN_X9_62_prime256v1) {
    return Status::Invalid("webhook verification key is not on curve P-256 (prime256v1)");
  }
  return SignatureVerifier(std::move(key));
}

Status SignatureVerifier::Verify(std::string_view timestamp_header, std::string_view body,
                                 std::string_view signature_base64) const {
  if (signature_base64.empty()) {
    return Status::Unauthorized("missing " + std::string(kSignatureHeader) + " header");
  }
  if (timestamp_header.empty()) {
    return Status::Unauthorized("missing " + std::string(kTimestampHeader) + " header");
  }
  Result<std::string> sig = Base64Decode(Trim(signature_base64));
  if (!sig.ok()) {
    return Status::Forbidden("signature header is not base64: " + sig.status().message());
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestVerifyUpdate(ctx.get(), timestamp_header.data(), timestamp_header.size()) != 1 ||
      EVP_DigestVerifyUpdate(ctx.get(), body.data(), body.size()) != 1) {
    return Status::Retry("signature check could not run (OpenSSL digest setup failed)");
  }
  int rc = EVP_DigestVerifyFinal(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                                 sig->size());
  if (rc == 1) return Status::Ok();
  ERR_clear_error();  // keep OpenSSL's per-thread error queue from growing
  if (rc == 0) {
    return Status::Forbidden(
        "signature does not match the timestamp and body (wrong key, or the body was modified)");
  }
  return Status::Forbidden("signature is not a DER ECDSA signature");
}

Status CheckTimestampAge(std::string_view timestamp_header, UnixMillis now,
                         int64_t max_age_seconds) {
  if (max_age_seconds <= 0) return Status::Ok();
  int64_t ts = 0;
  const char* end = timestamp_header.data() + timestamp_header.size();
  auto [ptr, ec] = std::from_chars(timestamp_header.data(), end, ts);
  if (timestamp_header.empty() || ec != std::errc() || ptr != end || ts < 0) {
    return Status::Forbidden("signature timestamp '" + std::string(timestamp_header) +
                             "' is not a number of seconds");
  }
  int64_t now_s = now / 1000;
  int64_t age = now_s - ts;
  if (age > max_age_seconds) {
    return Status::Forbidden("signature timestamp is " + std::to_string(age) + " s old, limit " +
                             std::to_string(max_age_seconds) + " s");
  }
  if (-age > kMaxFutureSkewSeconds) {
    return Status::Forbidden("signature timestamp is " + std::to_string(-age) +
                             " s in the future, limit " + std::to_string(kMaxFutureSkewSeconds) +
                             " s");
  }
  return Status::Ok();
}

}  // namespace mailpulse
