// The API token as `?token=` on /v1/live only (the dashboard's EventSource
// cannot send an Authorization header), never on the other routes.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "analytics/kpi_api.h"

namespace mailpulse {
namespace {

HttpRequest Get(std::string target, std::map<std::string, std::string> headers = {}) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.header = [headers = std::move(headers)](std::string_view name) -> std::string_view {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  };
  return r;
}

// Authorization is decided before the service is touched, so no service is needed here:
// a /v1/live response is only a stream whose poll function is never called.
class KpiApiQueryTokenTest : public ::testing::Test {
 protected:
  KpiApi api_{nullptr, KpiApiOptions{"s3cret+/=", 250, 15'000}};
};

TEST_F(KpiApiQueryTokenTest, LiveAcceptsTheTokenAsQueryParameter) {
  // Percent-encoded as encodeURIComponent does it.
  HttpResponse r = api_.Handle(Get("/v1/live?token=s3cret%2B%2F%3D"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/event-stream");
  EXPECT_TRUE(static_cast<bool>(r.stream_poll));
}

TEST_F(KpiApiQueryTokenTest, LiveRefusesAWrongOrMissingQueryToken) {
  HttpResponse wrong = api_.Handle(Get("/v1/live?token=s3cret"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body, R"({"error":"invalid bearer token"})");
  HttpResponse longer = api_.Handle(Get("/v1/live?token=s3cret%2B%2F%3Dx"));
  EXPECT_EQ(longer.status, 401);
  HttpResponse empty = api_.Handle(Get("/v1/live?token="));
  EXPECT_EQ(empty.status, 401);
  HttpResponse missing = api_.Handle(Get("/v1/live"));
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.body, R"({"error":"missing bearer token"})");
}

TEST_F(KpiApiQueryTokenTest, OtherRoutesIgnoreTheQueryToken) {
  EXPECT_EQ(api_.Handle(Get("/v1/campaigns?token=s3cret%2B%2F%3D")).status, 401);
  EXPECT_EQ(api_.Handle(Get("/v1/campaigns/x/links?token=s3cret%2B%2F%3D")).status, 401);
}

TEST_F(KpiApiQueryTokenTest, AWrongHeaderIsNotRescuedByAQueryToken) {
  HttpResponse r = api_.Handle(Get("/v1/live?token=s3cret%2B%2F%3D", {{"Authorization", "Bearer nope"}}));
  EXPECT_EQ(r.status, 401);
  HttpResponse ok = api_.Handle(Get("/v1/live", {{"Authorization", "Bearer s3cret+/="}}));
  EXPECT_EQ(ok.status, 200);
}

}  // namespace
}  // namespace mailpulse
