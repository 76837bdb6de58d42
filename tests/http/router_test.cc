// Router matching without sockets: literal, trailing and middle parameters.
#include "http/router.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

class Named final : public RouteHandler {
 public:
  explicit Named(std::string name) : name_(std::move(name)) {}
  void Handle(HttpRequest req, Responder respond) override {
    respond(HttpResponse::Json(200, name_ + ":" + (req.params.empty() ? "" : req.params[0])));
  }

 private:
  std::string name_;
};

std::string Call(Router& r, const std::string& method, const std::string& path) {
  HttpRequest req;
  req.method = method;
  req.path = path;
  std::string out;
  r.Handle(std::move(req),
           [&](HttpResponse resp) { out = std::to_string(resp.status) + " " + resp.body; });
  return out;
}

TEST(RouterTest, ParameterInTheMiddleOrAtTheEnd) {
  Named list("list"), one("one"), links("links");
  Router r;
  r.Add("GET", "/v1/campaigns", &list);
  r.Add("GET", "/v1/campaigns/{id}", &one);
  r.Add("GET", "/v1/campaigns/{id}/links", &links);
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns"), "200 list:");
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns/abc"), "200 one:abc");
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns/abc/links"), "200 links:abc");
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns/a%2Fb/links"), "200 links:a%2Fb");
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns//links").substr(0, 3), "404");
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns/a/b/links").substr(0, 3), "404");
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns/abc/linksx").substr(0, 3), "404");
  EXPECT_EQ(Call(r, "POST", "/v1/campaigns/abc/links").substr(0, 3), "405");
  HttpRequest req;
  req.method = "GET";
  req.path = "/v1/campaigns/abc/links";
  EXPECT_EQ(r.RouteLabel(req), "/v1/campaigns/{id}/links");
}

TEST(RouterTest, GreedyParameterIsAFallbackForUnknownPaths) {
  Named list("list"), s3("s3");
  Router r;
  r.Add("GET", "/v1/campaigns", &list);
  r.Add("POST", "/{path+}", &s3);
  EXPECT_EQ(Call(r, "POST", "/bucket/events/dt=2026-12-04/a.json.gz"),
            "200 s3:bucket/events/dt=2026-12-04/a.json.gz");
  EXPECT_EQ(Call(r, "POST", "/b"), "200 s3:b");
  // A known path keeps its own answer: 405, not the fallback.
  EXPECT_EQ(Call(r, "POST", "/v1/campaigns").substr(0, 3), "405");
  EXPECT_EQ(Call(r, "GET", "/v1/campaigns"), "200 list:");
  // The fallback is for its method only: other methods on unknown paths stay 404.
  EXPECT_EQ(Call(r, "GET", "/bucket/key").substr(0, 3), "404");
  EXPECT_EQ(Call(r, "POST", "/").substr(0, 3), "404");
  HttpRequest req;
  req.method = "POST";
  req.path = "/bucket/key";
  EXPECT_EQ(r.RouteLabel(req), "/{path+}");
}

}  // namespace
}  // namespace mailpulse
