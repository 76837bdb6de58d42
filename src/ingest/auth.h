// Optional HTTP authentication for the webhook endpoint, on top of (or
// instead of) signature verification: HTTP Basic credentials (SendGrid sends
// them when the POST URL is https://user:pass@host/...) and Bearer tokens
// (SendGrid's OAuth client-credentials mode, or any static shared token).
//
// Comparisons are constant-time and length-independent: both sides are
// hashed with SHA-256 and the digests compared with CRYPTO_memcmp, so neither
// a wrong byte's position nor a secret's length shows in the timing.
// Immutable after Create; safe to share between threads.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailpulse {

class WebhookAuth {
 public:
  using Digest = std::array<unsigned char, 32>;

  // `basic_user_pass`: "USER:PASSWORD", or empty for none (Invalid if there
  // is no ':' or the user is empty). `bearer_tokens`: accepted tokens; empty
  // strings are Invalid. With neither configured, enabled() is false and
  // Check accepts everything.
  static Result<WebhookAuth> Create(std::string basic_user_pass,
                                    std::vector<std::string> bearer_tokens);

  bool enabled() const { return has_basic_ || !bearer_.empty(); }

  // `authorization_header`: the Authorization header value ("" if absent).
  // Unauthorized when absent, Forbidden when present but not accepted. When
  // both schemes are configured, either one passing is enough.
  Status Check(std::string_view authorization_header) const;

 private:
  WebhookAuth() = default;
  bool has_basic_ = false;
  Digest basic_{};              // SHA-256 of "user:pass"
  std::vector<Digest> bearer_;  // SHA-256 of each token
};

}  // namespace mailpulse
