#include "storage/s3/sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "common/sha256.h"

namespace mailpulse {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of spaces/tabs to one space, as SigV4's Trimall.
std::string TrimAll(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void RemoveHeader(HeaderList* headers, std::string_view lower_name) {
  std::erase_if(*headers, [&](const auto& h) { return Lower(h.first) == lower_name; });
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string CanonicalQueryString(const QueryList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string NormalizeAndEncodePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(seg);
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out += UriEncode(segments[i], false);
  }
  if (!segments.empty() && path.size() > 1 && path.back() == '/') out.push_back('/');
  return out;
}

std::string DeriveSigningKey(std::string_view secret, std::string_view yyyymmdd,
                             std::string_view region, std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), yyyymmdd);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

std::string FormatAmzDate(UnixMillis t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigV4Signer::SigV4Signer(AwsCredentials credentials, SigV4Config config)
    : credentials_(std::move(credentials)), config_(std::move(config)) {}

SigV4Signature SigV4Signer::Sign(SigV4Request* req, UnixMillis now) const {
  const std::string amz_date = FormatAmzDate(now);
  const std::string date = amz_date.substr(0, 8);
  for (std::string_view h : {"authorization", "x-amz-date", "x-amz-security-token"}) {
    RemoveHeader(&req->headers, h);
  }
  req->headers.emplace_back("x-amz-date", amz_date);
  if (!credentials_.session_token.empty()) {
    req->headers.emplace_back("x-amz-security-token", credentials_.session_token);
  }
  if (config_.add_content_sha256_header) {
    RemoveHeader(&req->headers, "x-amz-content-sha256");
    req->headers.emplace_back("x-amz-content-sha256", req->payload_hash);
  }

  // Same-named headers are joined with ',' in the order given.
  std::map<std::string, std::string> canonical;
  for (const auto& [name, value] : req->headers) {
    std::string& slot = canonical[Lower(name)];
    if (!slot.empty()) slot.push_back(',');
    slot += TrimAll(value);
  }
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, value] : canonical) {
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
  }

  std::string path = req->path.empty() ? "/" : req->path;
  if (config_.normalize_path) path = NormalizeAndEncodePath(path);

  SigV4Signature sig;
  sig.canonical_request = req->method + "\n" + path + "\n" + CanonicalQueryString(req->query) +
                          "\n" + canonical_headers + "\n" + signed_headers + "\n" +
                          req->payload_hash;
  const std::string scope = date + "/" + config_.region + "/" + config_.service + "/aws4_request";
  sig.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" +
                       HexEncode(Sha256(sig.canonical_request));
  std::string key =
      DeriveSigningKey(credentials_.secret_access_key, date, config_.region, config_.service);
  sig.signature = HexEncode(HmacSha256(key, sig.string_to_sign));
  sig.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials_.access_key_id + "/" + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + sig.signature;
  req->headers.emplace_back("Authorization", sig.authorization);
  return sig;
}

}  // namespace mailpulse
