#include "event/webhook_body.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace mailpulse {
namespace {

constexpr UnixMillis kReceived = 1740000000000;  // 2025-02-19

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<BodyElement> ParseOk(const std::string& body, UnixMillis received = kReceived) {
  std::vector<BodyElement> out;
  Status st = ParseWebhookBody(body, received, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

Status ParseErr(const std::string& body) {
  std::vector<BodyElement> out;
  Status st = ParseWebhookBody(body, kReceived, &out);
  EXPECT_TRUE(out.empty());
  return st;
}

TEST(WebhookBody, DocumentedExamplesParse) {
  std::string body = ReadFile(std::string(MAILPULSE_TEST_DATA) + "/sendgrid/examples.json");
  auto els = ParseOk(body);
  ASSERT_EQ(els.size(), 12u);
  const char* kEvents[] = {"processed",
                           "dropped",
                           "delivered",
                           "deferred",
                           "bounce",
                           "bounce",
                           "open",
                           "click",
                           "spamreport",
                           "unsubscribe",
                           "group_unsubscribe",
                           "group_resubscribe"};
  for (size_t i = 0; i < els.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_FALSE(els[i].reject_reason.has_value()) << *els[i].reject_reason;
    EXPECT_EQ(els[i].fields.event, kEvents[i]);
    EXPECT_TRUE(els[i].fields.has_timestamp);
    EXPECT_EQ(els[i].raw.front(), '{');
    EXPECT_EQ(els[i].raw.back(), '}');
  }
  const EventFields& processed = els[0].fields;
  EXPECT_EQ(processed.email, "example@test.com");
  EXPECT_EQ(processed.timestamp_ms, 1513299569000);
  EXPECT_EQ(processed.pool_id, "210");
  EXPECT_EQ(processed.category, "cat facts");
  EXPECT_EQ(processed.sg_event_id, "rbtnWrG1DVDGGGFHFyun0A==");
  EXPECT_EQ(processed.sg_message_id,
            "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000");
  EXPECT_EQ(processed.message_id, "14c5d75ce93");
  EXPECT_EQ(els[0].raw.substr(0, 30), R"({"email":"example@test.com","t)");
  EXPECT_EQ(els[3].fields.attempt, "5");
  EXPECT_EQ(els[4].fields.type, "bounce");
  EXPECT_EQ(els[5].fields.type, "blocked");
  EXPECT_EQ(els[6].fields.machine_open, std::optional<bool>(false));
  EXPECT_EQ(els[7].fields.url, "http://yourdomain.com/blog/news.html");
  EXPECT_EQ(els[7].fields.category, "category1");
  EXPECT_EQ(els[7].fields.message_id, "sendgrid_internal_message_id");
  EXPECT_EQ(els[7].fields.timestamp_ms, 1249948800000);
  EXPECT_FALSE(els[0].fields.machine_open.has_value());
  // Raw bytes are exact: the last element ends right before "\n]".
  EXPECT_EQ(els[11].raw.substr(els[11].raw.size() - 18), R"("asm_group_id":10})");
}

TEST(WebhookBody, SendGridFramingCrLf) {
  std::string body =
      "[{\"event\":\"open\",\"timestamp\":1600000000},\r\n{\"event\":\"click\",\"timestamp\":"
      "1600000001}]\r\n";
  auto els = ParseOk(body);
  ASSERT_EQ(els.size(), 2u);
  EXPECT_EQ(els[0].raw, R"({"event":"open","timestamp":1600000000})");
  EXPECT_EQ(els[1].raw, R"({"event":"click","timestamp":1600000001})");
}

TEST(WebhookBody, WhitespaceEverywhere) {
  std::string body =
      " \n[ \t{ \"event\" : \"open\" , \"timestamp\" : 1600000000 } ,\n 5 \r\n ]  \n";
  auto els = ParseOk(body);
  ASSERT_EQ(els.size(), 2u);
  EXPECT_EQ(els[0].raw, R"({ "event" : "open" , "timestamp" : 1600000000 })");
  EXPECT_EQ(els[1].raw, "5");
  EXPECT_EQ(els[1].reject_reason, std::string(reject_reason::kNotAnObject));
}

TEST(WebhookBody, EmptyArrayIsFine) { EXPECT_TRUE(ParseOk("[]").empty()); }

TEST(WebhookBody, SingleSendMillisecondsAndEmptyCategory) {
  std::string body =
      R"([{"category":[],"email":"email@example.com","event":"open","ip":"127.0.0.1","mc_stats":"singlesend","phase_id":"send","send_at":"1591726752372","sg_content_type":"html","sg_event_id":"sendgrid_internal_event_id","sg_message_id":"sendgrid_internal_message_id","singlesend_id":"sendgrid_singlesend_id","timestamp":1591726752372}])";
  auto els = ParseOk(body);
  ASSERT_EQ(els.size(), 1u);
  EXPECT_FALSE(els[0].reject_reason.has_value());
  EXPECT_EQ(els[0].fields.timestamp_ms, 1591726752372);
  EXPECT_EQ(els[0].fields.category, "");
  EXPECT_EQ(els[0].fields.singlesend_id, "sendgrid_singlesend_id");
}

TEST(WebhookBody, MarketingCampaignIdNumberKeptAsText) {
  auto els = ParseOk(
      R"([{"event":"processed","timestamp":1442349848,"marketing_campaign_id":23314,"category":["a","b"]}])");
  ASSERT_EQ(els.size(), 1u);
  EXPECT_EQ(els[0].fields.marketing_campaign_id, "23314");
  EXPECT_EQ(els[0].fields.category, "a");
}

TEST(WebhookBody, AccountStatusChange) {
  auto els = ParseOk(
      R"([{"event":"account_status_change","sg_event_id":"MjEzNTg5OTcyOC10ZXJtaW5hdGUtMTcwNzg1MTUzMQ","timestamp":1709142428,"type":"compliance_suspend"}])");
  ASSERT_EQ(els.size(), 1u);
  EXPECT_FALSE(els[0].reject_reason.has_value());
  EXPECT_TRUE(els[0].fields.email.empty());
  EXPECT_TRUE(els[0].fields.sg_message_id.empty());
  EXPECT_EQ(els[0].fields.type, "compliance_suspend");
  EXPECT_EQ(PartitionKey(els[0].fields), "MjEzNTg5OTcyOC10ZXJtaW5hdGUtMTcwNzg1MTUzMQ");
}

TEST(WebhookBody, EscapesAreDecoded) {
  std::string body =
      R"([{"email":"a\u0040b.c","smtp-id":"\u003c14c5@ismtpd-555\u003e","event":"op\u0065n","timestamp":1600000000,"url":"http:\/\/x\/\"q\""}])";
  auto els = ParseOk(body);
  ASSERT_EQ(els.size(), 1u);
  EXPECT_EQ(els[0].fields.email, "a@b.c");
  EXPECT_EQ(els[0].fields.event, "open");
  EXPECT_EQ(els[0].fields.url, "http://x/\"q\"");
  EXPECT_EQ(els[0].raw.substr(0, 19), R"({"email":"a\u0040b.)");
}

TEST(WebhookBody, EscapedKeysAreDecoded) {
  auto els = ParseOk(R"([{"ev\u0065nt":"open","time\u0073tamp":1600000000}])");
  ASSERT_EQ(els.size(), 1u);
  EXPECT_FALSE(els[0].reject_reason.has_value());
  EXPECT_EQ(els[0].fields.event, "open");
  EXPECT_EQ(els[0].fields.timestamp_ms, 1600000000000);
}

TEST(WebhookBody, LenientTypes) {
  auto els = ParseOk(R"([
    {"event":"deferred","timestamp":"1600000000","attempt":45,"pool":{"name":"p","id":"210"}},
    {"event":"open","timestamp":1600000000,"sg_machine_open":true,"extra":{"nested":[1,2,{"x":null}]}},
    {"event":"open","timestamp":1600000000,"sg_machine_open":"false","small":-1.5e-3}
  ])");
  ASSERT_EQ(els.size(), 3u);
  for (const auto& el : els) EXPECT_FALSE(el.reject_reason.has_value()) << *el.reject_reason;
  EXPECT_EQ(els[0].fields.timestamp_ms, 1600000000000);
  EXPECT_EQ(els[0].fields.attempt, "45");
  EXPECT_EQ(els[0].fields.pool_id, "210");
  EXPECT_EQ(els[1].fields.machine_open, std::optional<bool>(true));
  EXPECT_EQ(els[2].fields.machine_open, std::optional<bool>(false));
}

TEST(WebhookBody, BadElementsRejectedNeighboursAccepted) {
  auto els = ParseOk(R"([
    {"event":"open","timestamp":1600000000},
    42,
    "str",
    {},
    {"event":5,"timestamp":1600000000},
    {"event":"open"},
    {"event":"open","timestamp":"soon"},
    {"event":"open","timestamp":1600000000.5},
    {"event":"open","timestamp":123456789},
    {"event":"open","timestamp":1800000000},
    {"event":"","timestamp":1600000000},
    {"event":"open","event":"click","timestamp":1600000000},
    [1,2],
    null,
    {"event":"click","timestamp":1600000001}
  ])");
  ASSERT_EQ(els.size(), 15u);
  EXPECT_FALSE(els[0].reject_reason.has_value());
  EXPECT_EQ(els[1].reject_reason, "event is not a JSON object");
  EXPECT_EQ(els[1].raw, "42");
  EXPECT_EQ(els[2].reject_reason, "event is not a JSON object");
  EXPECT_EQ(els[2].raw, "\"str\"");
  EXPECT_EQ(els[3].reject_reason, "missing field: event");
  EXPECT_EQ(els[4].reject_reason, "event must be a string");
  EXPECT_EQ(els[5].reject_reason, "missing field: timestamp");
  EXPECT_EQ(els[6].reject_reason, "timestamp must be an integer");
  EXPECT_EQ(els[7].reject_reason, "timestamp must be an integer");
  EXPECT_EQ(els[8].reject_reason, "timestamp out of range");  // 1973
  EXPECT_EQ(els[9].reject_reason, "timestamp out of range");  // > received + 7 days
  EXPECT_EQ(els[10].reject_reason, "event must not be empty");
  EXPECT_EQ(els[11].reject_reason, "duplicate field: event");
  EXPECT_EQ(els[12].reject_reason, "event is not a JSON object");
  EXPECT_EQ(els[12].raw, "[1,2]");
  EXPECT_EQ(els[13].reject_reason, "event is not a JSON object");
  EXPECT_FALSE(els[14].reject_reason.has_value());
  EXPECT_EQ(els[14].fields.event, "click");
}

TEST(WebhookBody, TimestampWithinSevenDaysIsAccepted) {
  const UnixMillis received = 1600000000000;
  auto els = ParseOk(
      R"([{"event":"open","timestamp":1600604800},{"event":"open","timestamp":1600604801}])",
      received);
  ASSERT_EQ(els.size(), 2u);
  EXPECT_FALSE(els[0].reject_reason.has_value());
  EXPECT_EQ(els[1].reject_reason, "timestamp out of range");
}

TEST(WebhookBody, NonArrayBodiesRefused) {
  EXPECT_EQ(ParseErr("").message(), "body is empty; expected a JSON array of events");
  EXPECT_EQ(ParseErr(" \r\n").message(),
            "body is only whitespace; expected a JSON array of events");
  EXPECT_EQ(ParseErr(R"({"event":"open"})").message(),
            "body must be a JSON array of events; found an object at byte 0");
  EXPECT_EQ(ParseErr("  42").message(),
            "body must be a JSON array of events; found a number at byte 2");
  EXPECT_EQ(ParseErr("\"x\"").message(),
            "body must be a JSON array of events; found a string at byte 0");
  EXPECT_EQ(ParseErr("null").message(),
            "body must be a JSON array of events; found null at byte 0");
  Status st = ParseErr("[1] x");
  EXPECT_EQ(st.kind(), ErrorKind::kInvalid);
  EXPECT_NE(st.message().find("malformed JSON"), std::string::npos) << st.message();
  st = ParseErr("[1]]");
  EXPECT_EQ(st.message(), "unexpected bytes after the JSON array at byte 3");
}

TEST(WebhookBody, MalformedAfterGoodElementsRefusesWholeBody) {
  const char* kBodies[] = {
      R"([{"event":"open","timestamp":1600000000},{"event":"open",])",
      R"([{"event":"open","timestamp":1600000000},{"event":tru}])",
      R"([{"event":"open","timestamp":1600000000},{"a":01}])",
      R"([{"event":"open","timestamp":1600000000},{"a":"\q"}])",
      R"([{"event":"open","timestamp":1600000000} {"a":1}])",
      R"([{"event":"open","timestamp":1600000000},{"a":[1,}])",
      R"([{"event":"open","timestamp":1600000000},)",
      "[{\"event\":\"open\",\"timestamp\":1600000000},{\"a\":\"line\nbreak\"}]",
      "[{\"a\":\"\xff\"}]",
      R"([{"event":"open","timestamp":1600000000},{"k\q":1}])",
      R"([{"a":1e}])",
      R"([{"a":nul}])",
  };
  for (const char* body : kBodies) {
    SCOPED_TRACE(body);
    Status st = ParseErr(body);
    EXPECT_EQ(st.kind(), ErrorKind::kInvalid);
    EXPECT_EQ(st.message().rfind("malformed JSON", 0), 0u) << st.message();
  }
}

// Found by fuzz/event_parser_fuzzer: simdjson On-Demand skips an unread
// string followed by ':' as if it were a key, so these were accepted and
// produced invalid JSON in the lake.
TEST(WebhookBody, FuzzCrashStringFollowedByColonIsMalformed) {
  const char* kBodies[] = {
      R"([{"event":"m","timestamp":1249948800,"":"":]}])",
      R"([{"a":"b":]}])",
      R"(["a":1])",
      R"([{"a":["x":1]}])",
      R"([{"category":["x":]}])",
      R"([{"event":"open","timestamp":1600000000,"email":"e":]}])",
  };
  for (const char* body : kBodies) {
    SCOPED_TRACE(body);
    Status st = ParseErr(body);
    EXPECT_EQ(st.kind(), ErrorKind::kInvalid);
    EXPECT_EQ(st.message().rfind("malformed JSON", 0), 0u) << st.message();
  }
}

// Found by the fuzzers: valid JSON numbers that simdjson cannot represent
// would make the lake unreadable for simdjson-based readers; the event is
// rejected (kept in the error output) and its neighbours accepted.
TEST(WebhookBody, FuzzCrashUnrepresentableNumberRejectsEvent) {
  auto els = ParseOk(R"([
    {"event":"open","timestamp":1600000000,"samp":600044444444444444444444444440001},
    {"event":"open","timestamp":1600000000,"x":{"y":[151E3299569]}},
    {"event":"open","timestamp":1600000000,"attempt":1e400},
    {"event":"open","timestamp":1600000000}
  ])");
  ASSERT_EQ(els.size(), 4u);
  EXPECT_EQ(els[0].reject_reason, "number out of range");
  EXPECT_EQ(els[1].reject_reason, "number out of range");
  EXPECT_EQ(els[2].reject_reason, "number out of range");
  EXPECT_FALSE(els[3].reject_reason.has_value());
  std::string out;
  AppendRejectedPayload(out, els[0].raw, *els[0].reject_reason, 1, "w");
  EXPECT_EQ(out.substr(out.find("\"raw\":"), 8),
            "\"raw\":\"{");  // quoted: not parseable on its own
}

TEST(WebhookBody, MalformedMessageNamesElementAndOffset) {
  Status st = ParseErr(R"([{"event":"open","timestamp":1600000000},{"event":tru}])");
  EXPECT_EQ(st.message().rfind("malformed JSON in element 1 at byte 50:", 0), 0u) << st.message();
}

TEST(WebhookBody, TooDeepIsMalformed) {
  std::string body = "[{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}]";
  Status st = ParseErr(body);
  EXPECT_EQ(st.kind(), ErrorKind::kInvalid);
}

TEST(WebhookBody, UnpaddedInputIsCopied) {
  WebhookBodyParser parser;
  std::string body = R"([{"event":"open","timestamp":1600000000}])";
  std::vector<BodyElement> out;
  ASSERT_TRUE(parser.Parse(std::string_view(body), body.size(), kReceived, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].raw, R"({"event":"open","timestamp":1600000000})");
}

TEST(WebhookBody, ParseOneAcceptsExactlyOneValue) {
  WebhookBodyParser parser;
  BodyElement el;
  ASSERT_TRUE(parser.ParseOne(R"({"event":"open","timestamp":1600000000})", kReceived, &el).ok());
  EXPECT_EQ(el.fields.event, "open");
  EXPECT_EQ(el.raw, R"({"event":"open","timestamp":1600000000})");
  EXPECT_FALSE(parser.ParseOne("1],[2", kReceived, &el).ok());
  EXPECT_FALSE(parser.ParseOne("", kReceived, &el).ok());
}

}  // namespace
}  // namespace mailpulse
