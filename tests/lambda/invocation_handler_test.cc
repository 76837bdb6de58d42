#include "lambda/invocation_handler.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "http/router.h"

namespace mailpulse {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(MAILPULSE_TEST_DATA) + "/lambda/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the route saw, and how it answers.
class RecordingRoute final : public RouteHandler {
 public:
  std::optional<HttpResponse> Precheck(const HttpRequest& req) override {
    prechecked = true;
    if (req.header("content-type") != "application/json") {
      return HttpResponse::Error(415, "send application/json");
    }
    return std::nullopt;
  }
  void Handle(HttpRequest req, Responder respond) override {
    handled = true;
    path = req.path;
    params = req.params;
    body = req.body;
    signature = std::string(req.header("x-twilio-email-event-webhook-signature"));
    if (mode == Mode::kAnswer) {
      respond(HttpResponse::Json(200, R"({"accepted":2,"duplicates":0,"rejected":0})"));
    } else if (mode == Mode::kLater) {
      std::thread([respond] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        respond(HttpResponse::Json(200, R"({"accepted":2,"duplicates":0,"rejected":0})"));
      }).detach();
    } else {
      held = std::move(respond);  // the stream never acknowledges (in time)
    }
  }

  enum class Mode { kAnswer, kLater, kNever } mode = Mode::kAnswer;
  bool prechecked = false, handled = false;
  std::string path, body, signature;
  std::vector<std::string> params;
  Responder held;
};

struct Doc {
  int64_t status = 0;
  std::string body, content_type, retry_after;
  bool base64 = true;
};

Doc ParseDoc(const std::string& payload) {
  simdjson::dom::parser parser;
  simdjson::dom::element e = parser.parse(payload);
  Doc d;
  d.status = e["statusCode"].get_int64();
  d.body = std::string(std::string_view(e["body"]));
  d.base64 = e["isBase64Encoded"].get_bool();
  std::string_view v;
  if (e["headers"]["Content-Type"].get_string().get(v) == simdjson::SUCCESS) d.content_type = v;
  if (e["headers"]["Retry-After"].get_string().get(v) == simdjson::SUCCESS) d.retry_after = v;
  return d;
}

class InvocationHandlerTest : public ::testing::Test {
 protected:
  InvocationHandlerTest() {
    router_.Add("POST", "/v1/webhooks/sendgrid", &route_);
    router_.Add("POST", "/v1/webhooks/sendgrid/{name}", &route_);
    options_.deadline_margin_ms = 1000;
    options_.retry_after_seconds = 7;
    options_.max_body_bytes = 4096;
  }
  InvocationResult Invoke(const std::string& event, UnixMillis deadline) {
    InvocationHandler h(options_, &router_, &clock_);
    return h.Invoke(event, deadline);
  }

  ManualClock clock_{1'700'000'000'000};
  RecordingRoute route_;
  Router router_;
  InvocationHandlerOptions options_;
};

TEST_F(InvocationHandlerTest, V2Base64EventReachesTheRouteDecodedAndAnswers200) {
  InvocationResult r = Invoke(Fixture("v2_base64.json"), 0);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(route_.prechecked);
  EXPECT_EQ(route_.path, "/v1/webhooks/sendgrid");
  EXPECT_TRUE(route_.params.empty());
  EXPECT_EQ(route_.body, Fixture("body.txt"));
  EXPECT_EQ(route_.signature, "MEUCIQDsig==");
  Doc d = ParseDoc(r.payload);
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.body, R"({"accepted":2,"duplicates":0,"rejected":0})");
  EXPECT_EQ(d.content_type, "application/json");
  EXPECT_FALSE(d.base64);
}

TEST_F(InvocationHandlerTest, V1OriginalCaseHeadersWork) {
  InvocationResult r = Invoke(Fixture("v1_plain.json"), clock_.NowMillis() + 30'000);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(route_.signature, "MEUCIQDsig==");
  EXPECT_EQ(route_.body, Fixture("body.txt"));
}

TEST_F(InvocationHandlerTest, NamedStageIsStrippedAndTheWebhookNameRouted) {
  InvocationResult r = Invoke(Fixture("v2_plain_stage.json"), 0);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(route_.path, "/v1/webhooks/sendgrid/eu");
  ASSERT_EQ(route_.params.size(), 1u);
  EXPECT_EQ(route_.params[0], "eu");
}

TEST_F(InvocationHandlerTest, UnknownPathIs404FromTheRouter) {
  InvocationResult r = Invoke(
      R"({"version":"2.0","rawPath":"/elsewhere","requestContext":{"stage":"$default","http":{"method":"POST","path":"/elsewhere"}},"body":"[]"})",
      0);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(route_.handled);
  EXPECT_NE(ParseDoc(r.payload).body.find("\"error\""), std::string::npos);
}

TEST_F(InvocationHandlerTest, PrecheckRefusalIsAnswered) {
  InvocationResult r = Invoke(
      R"({"version":"2.0","rawPath":"/v1/webhooks/sendgrid","headers":{"content-type":"text/plain"},"requestContext":{"http":{"method":"POST","path":"/v1/webhooks/sendgrid"}},"body":"[]"})",
      0);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 415);
  EXPECT_FALSE(route_.handled);
  EXPECT_EQ(ParseDoc(r.payload).body, R"({"error":"send application/json"})");
}

TEST_F(InvocationHandlerTest, NotAnApiGatewayEventIsAnInvocationError) {
  InvocationResult r = Invoke(Fixture("not_api_gateway_s3.json"), 0);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Mailpulse.InvalidEvent");
  EXPECT_NE(r.error_message.find("not an API Gateway proxy event"), std::string::npos);
  EXPECT_FALSE(route_.handled);
}

TEST_F(InvocationHandlerTest, DeadlineTooNearIs503BeforeAnythingIsHandled) {
  for (UnixMillis deadline : {clock_.NowMillis() - 5, clock_.NowMillis() + 999}) {
    InvocationResult r = Invoke(Fixture("v2_base64.json"), deadline);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.status, 503);
    Doc d = ParseDoc(r.payload);
    EXPECT_EQ(d.retry_after, "7");
    EXPECT_NE(d.body.find("deadline"), std::string::npos) << d.body;
    EXPECT_FALSE(route_.handled);
  }
}

TEST_F(InvocationHandlerTest, NoAcknowledgementBeforeTheDeadlineIs503Not200) {
  route_.mode = RecordingRoute::Mode::kNever;
  InvocationResult r = Invoke(Fixture("v2_base64.json"), clock_.NowMillis() + 1000 + 50);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(route_.handled);
  EXPECT_EQ(ParseDoc(r.payload).retry_after, "7");
  // The late acknowledgement lands nowhere harmful.
  route_.held(HttpResponse::Json(200, "{}"));
}

TEST_F(InvocationHandlerTest, AcknowledgementFromAnotherThreadBeforeTheDeadlineIs200) {
  route_.mode = RecordingRoute::Mode::kLater;
  InvocationResult r = Invoke(Fixture("v2_base64.json"), clock_.NowMillis() + 30'000);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
}

TEST_F(InvocationHandlerTest, BodyOverTheLimitIs413) {
  options_.max_body_bytes = 10;
  InvocationResult r = Invoke(Fixture("v2_base64.json"), 0);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 413);
  EXPECT_FALSE(route_.handled);
}

TEST(InvocationResponseTest, HeadersOfTheHandlerAreKept) {
  HttpResponse resp = HttpResponse::Error(401, "missing signature");
  resp.headers.emplace_back("WWW-Authenticate", "Basic realm=\"mailpulse\"");
  EXPECT_EQ(EncodeResponse(resp),
            R"({"statusCode":401,"headers":{"Content-Type":"application/json",)"
            R"("WWW-Authenticate":"Basic realm=\"mailpulse\""},)"
            R"("body":"{\"error\":\"missing signature\"}","isBase64Encoded":false})");
}

}  // namespace
}  // namespace mailpulse
