#include "web/web_assets.h"

#include <string>

namespace mailpulse {

namespace {

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kAssetsPrefix = "/assets/";

// Only this origin: scripts and styles are files (uPlot sets element styles
// from script, which CSP allows), data comes from the same server.
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// True when an If-None-Match list names `etag` (or is "*").
bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    size_t comma = if_none_match.find(',');
    std::string_view item = if_none_match.substr(0, comma);
    if_none_match = comma == std::string_view::npos ? std::string_view() : if_none_match.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);  // weak comparison, as RFC 9110 asks for GET
    if (item == "*" || item == etag) return true;
  }
  return false;
}

}  // namespace

std::span<const WebAsset> EmbeddedWebAssets() { return {kWebAssets, kWebAssetCount}; }

WebAssets::WebAssets(std::span<const WebAsset> assets) : assets_(assets) {}

void WebAssets::Register(Router& router) {
  router.Add("GET", "/", this);
  router.Add("GET", "/assets/{name}", this);
}

const WebAsset* WebAssets::Find(std::string_view name) const {
  for (const WebAsset& a : assets_) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

HttpResponse WebAssets::Serve(const HttpRequest& req) const {
  std::string_view path = req.path;
  std::string_view name;
  if (path == "/") {
    name = kIndex;
  } else if (path.starts_with(kAssetsPrefix)) {
    name = path.substr(kAssetsPrefix.size());
  }
  const WebAsset* asset = name.empty() ? nullptr : Find(name);
  if (asset == nullptr) return HttpResponse::Error(404, "no such file");

  HttpResponse r;
  r.content_type = asset->content_type;
  r.headers.emplace_back("ETag", asset->etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (std::string_view(asset->content_type).starts_with("text/html")) {
    r.headers.emplace_back("Content-Security-Policy", kCsp);
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  std::string_view inm = req.header ? req.header("If-None-Match") : std::string_view();
  if (!inm.empty() && EtagMatches(inm, asset->etag)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.body.assign(reinterpret_cast<const char*>(asset->data), asset->size);
  return r;
}

void WebAssets::Handle(HttpRequest req, Responder respond) { respond(Serve(req)); }

}  // namespace mailpulse
