// The dashboard's file server: routes, content types, ETag revalidation, and
// the table compiled into the binary (index.html, app code, uPlot).
#include "web/web_assets.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace mailpulse {
namespace {

HttpRequest Get(std::string path, std::map<std::string, std::string> headers = {}) {
  HttpRequest r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  r.header = [headers = std::move(headers)](std::string_view name) -> std::string_view {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  };
  return r;
}

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

const unsigned char kHtml[] = "<!doctype html><p>hi</p>";
const unsigned char kJs[] = "export const x = 1;\n";
const WebAsset kTable[] = {
    {"index.html", "text/html; charset=utf-8", "\"aaa\"", kHtml, sizeof(kHtml) - 1},
    {"app.js", "text/javascript; charset=utf-8", "\"bbb\"", kJs, sizeof(kJs) - 1},
};

TEST(WebAssetsTest, RootServesIndexHtmlWithPolicyHeaders) {
  WebAssets web(kTable);
  HttpResponse r = web.Serve(Get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html><p>hi</p>");
  EXPECT_EQ(Header(r, "ETag"), "\"aaa\"");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_TRUE(Header(r, "Content-Security-Policy").starts_with("default-src 'self'; script-src 'self';"));
}

TEST(WebAssetsTest, AssetsByNameWithTheirContentType) {
  WebAssets web(kTable);
  HttpResponse r = web.Serve(Get("/assets/app.js"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.body, "export const x = 1;\n");
  EXPECT_EQ(Header(r, "ETag"), "\"bbb\"");
  EXPECT_EQ(Header(r, "Content-Security-Policy"), "<absent>");  // only documents need one
  EXPECT_EQ(web.Serve(Get("/assets/index.html")).status, 200);
}

TEST(WebAssetsTest, UnknownNamesAre404) {
  WebAssets web(kTable);
  EXPECT_EQ(web.Serve(Get("/assets/nope.js")).status, 404);
  EXPECT_EQ(web.Serve(Get("/assets/")).status, 404);
  EXPECT_EQ(web.Serve(Get("/assets/../index.html")).status, 404);
  EXPECT_EQ(web.Serve(Get("/index.html")).status, 404);
}

TEST(WebAssetsTest, MatchingIfNoneMatchGives304WithoutBody) {
  WebAssets web(kTable);
  for (const char* inm : {"\"bbb\"", "\"x\", \"bbb\"", "W/\"bbb\"", "*"}) {
    HttpResponse r = web.Serve(Get("/assets/app.js", {{"If-None-Match", inm}}));
    EXPECT_EQ(r.status, 304) << inm;
    EXPECT_EQ(r.body, "") << inm;
    EXPECT_EQ(Header(r, "ETag"), "\"bbb\"") << inm;
  }
  HttpResponse stale = web.Serve(Get("/assets/app.js", {{"If-None-Match", "\"aaa\""}}));
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body, "export const x = 1;\n");
}

TEST(WebAssetsTest, RoutesAreRegisteredOnTheRouter) {
  WebAssets web(kTable);
  Router router;
  web.Register(router);
  EXPECT_FALSE(router.Precheck(Get("/")).has_value());
  EXPECT_FALSE(router.Precheck(Get("/assets/app.js")).has_value());
  HttpResponse got;
  router.Handle(Get("/assets/app.js"), [&](HttpResponse r) { got = std::move(r); });
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "export const x = 1;\n");
  EXPECT_EQ(router.Precheck(Get("/assets/a/b"))->status, 404);
}

// The generated table: the page, its code, and uPlot from npm, with the right types.
TEST(WebAssetsTest, EmbeddedTableHasThePageAndUplot) {
  WebAssets web;
  const std::map<std::string, std::string> want = {
      {"index.html", "text/html; charset=utf-8"},
      {"app.js", "text/javascript; charset=utf-8"},
      {"style.css", "text/css; charset=utf-8"},
      {"uPlot.iife.min.js", "text/javascript; charset=utf-8"},
      {"uPlot.min.css", "text/css; charset=utf-8"},
  };
  for (const auto& [name, type] : want) {
    const WebAsset* a = web.Find(name);
    ASSERT_NE(a, nullptr) << name;
    EXPECT_EQ(std::string(a->content_type), type) << name;
    EXPECT_GT(a->size, 100u) << name;
    EXPECT_EQ(a->data[a->size], 0) << name;  // the generator's terminator, past the content
    std::string etag = a->etag;
    EXPECT_EQ(etag.size(), 22u) << etag;  // quoted 20 hex digits of the SHA-256
  }
  std::string index(reinterpret_cast<const char*>(web.Find("index.html")->data), web.Find("index.html")->size);
  for (const auto& [name, type] : want) {
    if (name != "index.html") {
      EXPECT_NE(index.find("/assets/" + name), std::string::npos) << name;
    }
  }
  std::string uplot(reinterpret_cast<const char*>(web.Find("uPlot.iife.min.js")->data),
                    web.Find("uPlot.iife.min.js")->size);
  EXPECT_NE(uplot.find("uPlot"), std::string::npos);
}

}  // namespace
}  // namespace mailpulse
