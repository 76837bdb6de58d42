#include "lambda/api_gateway_event.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

namespace mailpulse {
namespace {

std::string Fixture(const std::string& name) {
  std::string path = std::string(MAILPULSE_TEST_DATA) + "/lambda/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ApiGatewayEventTest, V2Base64BodyIsDecodedToTheExactBytes) {
  auto r = ParseApiGatewayEvent(Fixture("v2_base64.json"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->version, ApiGatewayPayload::kV2);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/v1/webhooks/sendgrid");
  EXPECT_EQ(r->stage, "$default");
  EXPECT_EQ(r->body, Fixture("body.txt"));
  EXPECT_NE(r->body.find("},\r\n{"), std::string::npos);
}

TEST(ApiGatewayEventTest, V2PlainBodyWithNamedStageQueryAndCookies) {
  auto r = ParseApiGatewayEvent(Fixture("v2_plain_stage.json"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->path, "/prod/v1/webhooks/sendgrid/eu");
  EXPECT_EQ(r->stage, "prod");
  EXPECT_EQ(r->raw_query, "a=1&b=2");
  EXPECT_EQ(r->body, Fixture("body.txt"));
  EXPECT_EQ(RoutePath(*r, "/v1/webhooks/sendgrid"), "/v1/webhooks/sendgrid/eu");
}

TEST(ApiGatewayEventTest, V1KeepsOriginalCaseHeadersFindableInAnyCase) {
  auto r = ParseApiGatewayEvent(Fixture("v1_plain.json"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->version, ApiGatewayPayload::kV1);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/v1/webhooks/sendgrid");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_EQ(r->Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r->Header("X-Twilio-Email-Event-Webhook-Signature"), "MEUCIQDsig==");
  EXPECT_EQ(r->Header("x-twilio-email-event-webhook-timestamp"), "1700000100");
  // "headers" wins over multiValueHeaders for a name in both.
  EXPECT_EQ(r->Header("X-Forwarded-For"), "192.0.2.1");
  EXPECT_EQ(r->Header("absent"), "");
  EXPECT_EQ(r->body, Fixture("body.txt"));
  // The path already matches: the stage is not stripped.
  EXPECT_EQ(RoutePath(*r, "/v1/webhooks/sendgrid"), "/v1/webhooks/sendgrid");
}

TEST(ApiGatewayEventTest, RestProxyWithOnlyMultiValueHeadersAndBase64Body) {
  auto r = ParseApiGatewayEvent(Fixture("v1_rest_multivalue_base64.json"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->version, ApiGatewayPayload::kV1);
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(r->Header("x-twilio-email-event-webhook-signature"), "MEUCIQDsig==");
  EXPECT_EQ(r->Header("accept"), "a/b,c/d");
  EXPECT_EQ(r->body, Fixture("body.txt"));
}

TEST(ApiGatewayEventTest, NonApiGatewayEventsAreInvalid) {
  for (const std::string& event :
       {Fixture("not_api_gateway_s3.json"), std::string("[]"), std::string("not json"),
        std::string("{}"), std::string(R"({"version":"2.0","requestContext":{}})"),
        std::string(R"({"version":"3.0","requestContext":{},"httpMethod":"POST","path":"/"})"),
        std::string(R"({"requestContext":{},"httpMethod":"POST"})"),
        std::string(R"({"requestContext":{},"httpMethod":"POST","path":"/x","body":5})"),
        std::string(
            R"({"requestContext":{},"httpMethod":"POST","path":"/x","headers":{"a":1}})")}) {
    auto r = ParseApiGatewayEvent(event);
    EXPECT_FALSE(r.ok()) << event;
    if (!r.ok()) {
      EXPECT_EQ(r.status().kind(), ErrorKind::kInvalid) << event;
    }
  }
}

// Found by fuzz/api_gateway_event_fuzzer.cc: a header name with bytes >= 0x80
// was not found by its own name (signed char compared with tolower's int).
TEST(ApiGatewayEventTest, HeaderNamesWithNonAsciiBytesAreFound) {
  auto r = ParseApiGatewayEvent(
      "{\"requestContext\":{},\"httpMethod\":\"POST\",\"path\":\"/x\","
      "\"headers\":{\"X-Sig\xd3\x96N\":\"v\"}}");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->Header("x-sig\xd3\x96n"), "v");
  EXPECT_EQ(r->Header("X-SIG\xd3\x96N"), "v");
}

TEST(ApiGatewayEventTest, BadBase64BodyIsInvalid) {
  auto r = ParseApiGatewayEvent(
      R"({"requestContext":{},"httpMethod":"POST","path":"/x","body":"@@@","isBase64Encoded":true})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("base64"), std::string::npos);
}

TEST(ApiGatewayEventTest, AbsentOrNullBodyIsEmpty) {
  auto r = ParseApiGatewayEvent(
      R"({"version":"2.0","rawPath":"/a","requestContext":{"http":{"method":"POST","path":"/a"}}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "");
  auto r1 = ParseApiGatewayEvent(
      R"({"requestContext":{},"httpMethod":"POST","path":"/a","body":null,"isBase64Encoded":false})");
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  EXPECT_EQ(r1->body, "");
}

TEST(ApiGatewayEventTest, V2FallsBackToRequestContextPath) {
  auto r = ParseApiGatewayEvent(
      R"({"version":"2.0","requestContext":{"http":{"method":"POST","path":"/v1/webhooks/sendgrid"}}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->path, "/v1/webhooks/sendgrid");
}

TEST(ApiGatewayEventTest, RoutePathStripsOnlyAWholeStageSegment) {
  ApiGatewayRequest r;
  r.stage = "prod";
  r.path = "/prod/v1/webhooks/sendgrid";
  EXPECT_EQ(RoutePath(r, "/v1/webhooks/sendgrid"), "/v1/webhooks/sendgrid");
  r.path = "/production/v1/webhooks/sendgrid";
  EXPECT_EQ(RoutePath(r, "/v1/webhooks/sendgrid"), "/production/v1/webhooks/sendgrid");
  r.path = "/prod/other";
  EXPECT_EQ(RoutePath(r, "/v1/webhooks/sendgrid"), "/prod/other");
  r.stage = "$default";
  r.path = "/$default/v1/webhooks/sendgrid";
  EXPECT_EQ(RoutePath(r, "/v1/webhooks/sendgrid"), "/$default/v1/webhooks/sendgrid");
}

TEST(ApiGatewayEventTest, ResponseDocumentShape) {
  std::string doc =
      EncodeApiGatewayResponse(503, {{"Content-Type", "application/json"}, {"Retry-After", "5"}},
                               R"({"error":"a \"quoted\"\nreason"})");
  EXPECT_EQ(doc,
            R"({"statusCode":503,"headers":{"Content-Type":"application/json","Retry-After":"5"},)"
            R"("body":"{\"error\":\"a \\\"quoted\\\"\\nreason\"}","isBase64Encoded":false})");
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(doc).get(e), simdjson::SUCCESS);
  int64_t status = 0;
  ASSERT_EQ(e["statusCode"].get_int64().get(status), simdjson::SUCCESS);
  EXPECT_EQ(status, 503);
  std::string_view body;
  ASSERT_EQ(e["body"].get_string().get(body), simdjson::SUCCESS);
  EXPECT_EQ(body, "{\"error\":\"a \\\"quoted\\\"\\nreason\"}");
  bool b64 = true;
  ASSERT_EQ(e["isBase64Encoded"].get_bool().get(b64), simdjson::SUCCESS);
  EXPECT_FALSE(b64);
}

}  // namespace
}  // namespace mailpulse
