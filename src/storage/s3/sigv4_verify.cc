#include "storage/s3/sigv4_verify.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <ctime>
#include <vector>

#include "common/sha256.h"
#include "storage/s3/sigv4.h"

namespace mailpulse {
namespace {

// "Key=value" member of the Authorization header's comma-separated list.
std::string_view Member(std::string_view list, std::string_view key) {
  size_t pos = 0;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view part =
        list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > key.size() && part.substr(0, key.size()) == key && part[key.size()] == '=') {
      return part.substr(key.size() + 1);
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return {};
}

// "20261204T074650Z" -> ms since the epoch; -1 when malformed.
int64_t ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
  std::tm tm{};
  int y, mo, d, h, mi, se;
  if (std::sscanf(std::string(s).c_str(), "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &se) != 6)
    return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Status VerifySigV4(const SigV4IncomingRequest& req, std::string_view secret, UnixMillis now,
                   int64_t max_skew_ms) {
  std::string_view auth = req.header("Authorization");
  constexpr std::string_view kScheme = "AWS4-HMAC-SHA256 ";
  if (auth.empty()) return Status::Unauthorized("AccessDenied: the request is not signed (SigV4)");
  if (auth.substr(0, kScheme.size()) != kScheme) {
    return Status::Unauthorized("AuthorizationHeaderMalformed: only AWS4-HMAC-SHA256 is accepted");
  }
  std::string_view params = auth.substr(kScheme.size());
  std::string_view credential = Member(params, "Credential");
  std::string_view signed_headers = Member(params, "SignedHeaders");
  std::string_view signature = Member(params, "Signature");
  // Credential = AKID/yyyymmdd/region/service/aws4_request
  std::vector<std::string_view> scope;
  for (size_t pos = 0; pos <= credential.size();) {
    size_t slash = credential.find('/', pos);
    if (slash == std::string_view::npos) slash = credential.size();
    scope.push_back(credential.substr(pos, slash - pos));
    pos = slash + 1;
  }
  if (scope.size() != 5 || scope[0].empty() || scope[4] != "aws4_request" ||
      signed_headers.empty() || signature.empty()) {
    return Status::Unauthorized(
        "AuthorizationHeaderMalformed: malformed Credential, SignedHeaders or Signature");
  }
  std::string_view amz_date = req.header("x-amz-date");
  int64_t when = ParseAmzDate(amz_date);
  if (when < 0 || amz_date.substr(0, 8) != scope[1]) {
    return Status::Unauthorized(
        "AuthorizationHeaderMalformed: x-amz-date is missing, malformed or not the Credential's "
        "date");
  }
  if (when > now + max_skew_ms || when < now - max_skew_ms) {
    return Status::Forbidden("RequestTimeTooSkewed: the request time is too far from the server's");
  }

  SigV4Request r;
  r.method = std::string(req.method);
  r.path = std::string(req.path);
  for (size_t pos = 0; pos < req.query.size();) {
    size_t amp = req.query.find('&', pos);
    if (amp == std::string_view::npos) amp = req.query.size();
    std::string_view pair = req.query.substr(pos, amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      r.query.emplace_back(UriDecode(pair.substr(0, eq)), eq == std::string_view::npos
                                                              ? std::string()
                                                              : UriDecode(pair.substr(eq + 1)));
    }
    pos = amp + 1;
  }
  AwsCredentials creds;
  creds.access_key_id = std::string(scope[0]);
  creds.secret_access_key = std::string(secret);
  bool signs_content_sha = false;
  for (size_t pos = 0; pos <= signed_headers.size();) {
    size_t semi = signed_headers.find(';', pos);
    if (semi == std::string_view::npos) semi = signed_headers.size();
    std::string name(signed_headers.substr(pos, semi - pos));
    pos = semi + 1;
    if (name == "x-amz-date" || name == "authorization") continue;  // the signer adds the date
    if (name == "x-amz-content-sha256") {
      signs_content_sha = true;
      continue;
    }
    if (name == "x-amz-security-token") {
      creds.session_token = std::string(req.header(name));
      continue;
    }
    r.headers.emplace_back(name, std::string(req.header(name)));
  }
  std::string_view content_sha = req.header("x-amz-content-sha256");
  if (signs_content_sha) {
    r.payload_hash = std::string(content_sha);
    if (content_sha != kUnsignedPayload && content_sha != HexEncode(Sha256(req.body))) {
      return Status::Forbidden(
          "XAmzContentSHA256Mismatch: the body does not match x-amz-content-sha256");
    }
  } else {
    r.payload_hash = HexEncode(Sha256(req.body));
  }
  SigV4Config config{std::string(scope[2]), std::string(scope[3]),
                     /*normalize_path=*/scope[3] != "s3", signs_content_sha};
  SigV4Signature expected = SigV4Signer(std::move(creds), std::move(config)).Sign(&r, when);
  if (expected.authorization.find("SignedHeaders=" + std::string(signed_headers) + ",") ==
          std::string::npos ||
      !SameSecret(expected.signature, signature)) {
    return Status::Forbidden(
        "SignatureDoesNotMatch: the request signature we calculated does not match the signature "
        "you provided (sign with the server's api_token as the secret key)");
  }
  return Status::Ok();
}

}  // namespace mailpulse
