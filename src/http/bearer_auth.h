// RequireBearerToken: the API token check shared by the JSON APIs
// (`Authorization: Bearer <api_token>`, RFC 6750). The comparison is
// constant-time and length-independent (SHA-256 of both sides compared with
// CRYPTO_memcmp), so the token leaks neither content nor length by timing.
// Pure function; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "http/http_server.h"

namespace mailpulse {

// nullopt when `token` is empty (no authentication configured) or the request
// carries it; otherwise the 401 to answer, with WWW-Authenticate and a reason.
std::optional<HttpResponse> RequireBearerToken(const HttpRequest& req, std::string_view token);

// Constant-time, length-independent equality of two secrets.
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace mailpulse
