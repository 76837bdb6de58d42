#include "ingest/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <strings.h>

#include "common/base64.h"

namespace mailpulse {
namespace {

WebhookAuth::Digest Sha256(std::string_view s) {
  WebhookAuth::Digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

bool SameDigest(const WebhookAuth::Digest& a, const WebhookAuth::Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Splits "Scheme credentials" (scheme case-insensitive, RFC 9110 11.1).
bool SplitScheme(std::string_view header, std::string_view scheme, std::string_view* rest) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
  if (strncasecmp(header.data(), scheme.data(), scheme.size()) != 0) return false;
  std::string_view r = header.substr(scheme.size());
  while (!r.empty() && r.front() == ' ') r.remove_prefix(1);
  while (!r.empty() && r.back() == ' ') r.remove_suffix(1);
  *rest = r;
  return true;
}

}  // namespace

Result<WebhookAuth> WebhookAuth::Create(std::string basic_user_pass,
                                        std::vector<std::string> bearer_tokens) {
  WebhookAuth auth;
  if (!basic_user_pass.empty()) {
    size_t colon = basic_user_pass.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::Invalid("basic auth must be USER:PASSWORD with a non-empty user");
    }
    auth.has_basic_ = true;
    auth.basic_ = Sha256(basic_user_pass);
  }
  for (const std::string& t : bearer_tokens) {
    if (t.empty()) return Status::Invalid("bearer token list contains an empty token");
    auth.bearer_.push_back(Sha256(t));
  }
  return auth;
}

Status WebhookAuth::Check(std::string_view authorization_header) const {
  if (!enabled()) return Status::Ok();
  if (authorization_header.empty()) return Status::Unauthorized("missing Authorization header");
  std::string_view cred;
  if (has_basic_ && SplitScheme(authorization_header, "Basic", &cred)) {
    Result<std::string> user_pass = Base64Decode(cred);
    if (!user_pass.ok()) return Status::Forbidden("Basic credentials are not base64");
    if (SameDigest(Sha256(*user_pass), basic_)) return Status::Ok();
    return Status::Forbidden("wrong Basic credentials");
  }
  if (!bearer_.empty() && SplitScheme(authorization_header, "Bearer", &cred)) {
    Digest d = Sha256(cred);
    bool match = false;
    for (const Digest& t : bearer_) match |= SameDigest(d, t);  // no early exit
    if (match) return Status::Ok();
    return Status::Forbidden("wrong Bearer token");
  }
  return Status::Forbidden("Authorization scheme not accepted (expected " +
                           std::string(has_basic_ && !bearer_.empty() ? "Basic or Bearer"
                                       : has_basic_                   ? "Basic"
                                                                      : "Bearer") +
                           ")");
}

}  // namespace mailpulse
