// WebAssets: serves the dashboard (issue #4) from files compiled into the
// binary, so `mailpulse serve` needs no internet and no files at run time.
//
//   GET /                 index.html
//   GET /assets/{name}    any embedded file by name (app.js, uPlot.iife.min.js, ...)
//
// The table comes from cmake/embed_web_assets.cmake, which turns
// src/web/assets/* and uPlot's dist files (npm) into
// ${CMAKE_BINARY_DIR}/generated/web_assets_data.cc at build time.
//
// Caching: every response carries a strong ETag (content hash) and
// `Cache-Control: no-cache`: the browser keeps its copy but revalidates it,
// and an unchanged file costs a 304 with no body. URLs are not fingerprinted,
// so a longer max-age would mix an old app.js with a new index.html after an
// upgrade. HTML also carries a Content-Security-Policy allowing only this
// origin (no inline script, no third-party hosts).
//
// The page itself is public (it holds no data); the data comes from the KPI
// API, which asks for the API token (see kpi_api.h).
//
// Thread-safety: immutable after construction; handlers run on any thread.
// Lifetime: must outlive the router it is registered with.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "http/router.h"

namespace mailpulse {

struct WebAsset {
  const char* name;          // file name, served as /assets/<name>
  const char* content_type;  // e.g. "text/javascript; charset=utf-8"
  const char* etag;          // quoted strong validator, e.g. "\"3f2a...\""
  const unsigned char* data;
  size_t size;
};

// Defined in the generated web_assets_data.cc.
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

// The table compiled into this binary.
std::span<const WebAsset> EmbeddedWebAssets();

class WebAssets final : public RouteHandler {
 public:
  explicit WebAssets(std::span<const WebAsset> assets = EmbeddedWebAssets());

  // Adds GET / and GET /assets/{name}.
  void Register(Router& router);

  // The asset with this file name, or nullptr.
  const WebAsset* Find(std::string_view name) const;

  // The response for a GET of req.path (exposed for tests).
  HttpResponse Serve(const HttpRequest& req) const;

  void Handle(HttpRequest req, Responder respond) override;

 private:
  std::span<const WebAsset> assets_;
};

}  // namespace mailpulse
