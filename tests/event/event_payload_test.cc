#include "event/event_payload.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "common/json_escape.h"
#include "event/webhook_body.h"

namespace mailpulse {
namespace {

constexpr UnixMillis kReceived = 1740000000000;

simdjson::dom::element ParseDom(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  auto err = p.parse(json).get(e);
  EXPECT_EQ(err, simdjson::SUCCESS) << json;
  return e;
}

// Every key of `raw` is in `enriched` with the same value, plus the envelope.
void ExpectEnrichedKeepsOriginal(std::string_view raw, const std::string& enriched) {
  simdjson::dom::parser p1, p2;
  simdjson::dom::element orig = ParseDom(p1, std::string(raw));
  simdjson::dom::element out = ParseDom(p2, enriched);
  simdjson::dom::object oo, eo;
  ASSERT_EQ(orig.get_object().get(oo), simdjson::SUCCESS);
  ASSERT_EQ(out.get_object().get(eo), simdjson::SUCCESS);
  EXPECT_EQ(eo.size(), oo.size() + 1);
  for (auto [key, value] : oo) {
    simdjson::dom::element got;
    ASSERT_EQ(eo.at_key(key).get(got), simdjson::SUCCESS) << key;
    EXPECT_EQ(simdjson::minify(got), simdjson::minify(value)) << key;
  }
  EXPECT_EQ(enriched.substr(enriched.size() - raw.size() + 1), raw.substr(1));
}

TEST(EventPayload, EnrichedKeepsEveryOriginalKey) {
  std::ifstream in(std::string(MAILPULSE_TEST_DATA) + "/sendgrid/examples.json", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<BodyElement> els;
  ASSERT_TRUE(ParseWebhookBody(ss.str(), kReceived, &els).ok());
  ASSERT_EQ(els.size(), 12u);
  for (const BodyElement& el : els) {
    std::string out;
    AppendEnrichedPayload(out, el.fields, el.raw, kReceived, "default");
    ExpectEnrichedKeepsOriginal(el.raw, out);
  }
}

TEST(EventPayload, EnrichedExactBytes) {
  EventFields f;
  f.message_id = "14c5\"d";
  f.timestamp_ms = 1513299569000;
  std::string out;
  AppendEnrichedPayload(out, f, R"({"event":"open"})", 1700000000123, "hook\\1");
  EXPECT_EQ(
      out,
      R"({"_mailpulse":{"received_ms":1700000000123,"webhook":"hook\\1","message_id":"14c5\"d","event_ms":1513299569000},"event":"open"})");
}

TEST(EventPayload, EnrichedEmptyObjectsAndWhitespace) {
  EventFields f;
  std::string out;
  AppendEnrichedPayload(out, f, "{}", 1, "w");
  EXPECT_EQ(out,
            R"({"_mailpulse":{"received_ms":1,"webhook":"w","message_id":null,"event_ms":0}})");
  out.clear();
  AppendEnrichedPayload(out, f, "{ \r\n }", 1, "w");
  EXPECT_EQ(out,
            "{\"_mailpulse\":{\"received_ms\":1,\"webhook\":\"w\",\"message_id\":null,\"event_ms\":"
            "0} \r\n }");
  out.clear();
  AppendEnrichedPayload(out, f, "{\n \"a\":1}", 1, "w");
  EXPECT_EQ(out,
            "{\"_mailpulse\":{\"received_ms\":1,\"webhook\":\"w\",\"message_id\":null,\"event_ms\":"
            "0},\n \"a\":1}");
  ExpectEnrichedKeepsOriginal("{\n \"a\":1}", out);
}

TEST(EventPayload, WriterMatchesAppendEnrichedPayload) {
  std::ifstream in(std::string(MAILPULSE_TEST_DATA) + "/sendgrid/examples.json", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<BodyElement> els;
  ASSERT_TRUE(ParseWebhookBody(ss.str(), kReceived, &els).ok());
  EventFields empty;
  for (std::string_view webhook : {"default", "hook\\\"1"}) {
    const EnrichedPayloadWriter writer(kReceived, webhook);
    std::string want, got;
    for (const BodyElement& el : els) {
      AppendEnrichedPayload(want, el.fields, el.raw, kReceived, webhook);
      writer.Append(got, el.fields, el.raw);
    }
    for (std::string_view raw : {"{}", "{ \r\n }", "{\n \"a\":1}"}) {
      AppendEnrichedPayload(want, empty, raw, kReceived, webhook);
      writer.Append(got, empty, raw);
    }
    EXPECT_EQ(got, want) << webhook;
  }
}

TEST(EventPayload, RejectedKeepsRawOrQuotesIt) {
  std::string out;
  AppendRejectedPayload(out, R"({"event":5})", "event must be a string", 7, "w");
  EXPECT_EQ(
      out,
      R"({"_mailpulse":{"received_ms":7,"webhook":"w","error":"event must be a string"},"raw":{"event":5}})");
  out.clear();
  AppendRejectedPayload(out, "{\"event\":tru", "x", 7, "w");
  EXPECT_EQ(out,
            R"({"_mailpulse":{"received_ms":7,"webhook":"w","error":"x"},"raw":"{\"event\":tru"})");
  out.clear();
  AppendRejectedPayload(out, "", "x", 7, "w");
  EXPECT_EQ(out, R"({"_mailpulse":{"received_ms":7,"webhook":"w","error":"x"},"raw":""})");
}

TEST(EventPayload, JsonStringEscaping) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\r\t\b\f\x01\x1f\x7f\xc3\xa9", 15));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\xc3\xa9\"");
}

}  // namespace
}  // namespace mailpulse
