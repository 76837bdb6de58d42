#include "http/bearer_auth.h"

#include <openssl/crypto.h>
#include <strings.h>

#include "common/sha256.h"

namespace mailpulse {

bool SecretEquals(std::string_view a, std::string_view b) {
  const std::string da = Sha256(a), db = Sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::optional<HttpResponse> RequireBearerToken(const HttpRequest& req, std::string_view token) {
  if (token.empty()) return std::nullopt;
  std::string_view auth = req.header ? req.header("Authorization") : std::string_view();
  constexpr std::string_view kBearer = "Bearer ";
  bool scheme =
      auth.size() > kBearer.size() && strncasecmp(auth.data(), kBearer.data(), kBearer.size()) == 0;
  if (scheme && SecretEquals(auth.substr(kBearer.size()), token)) return std::nullopt;
  HttpResponse r =
      HttpResponse::Error(401, auth.empty() ? "missing bearer token" : "invalid bearer token");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"mailpulse\"");
  return r;
}

}  // namespace mailpulse
