// One stream record -> one lake line: envelope flattening, one line per
// event, partition values, and the error lines.
#include "delivery/lake_line.h"

#include <gtest/gtest.h>

#include <deque>

namespace mailpulse {
namespace {

constexpr UnixMillis kArrival = 1700000000000;

// The formatter's partition values view the record: keep every record alive
// for the whole test.
const StreamRecord& Rec(std::string payload, uint64_t seq = 1) {
  static std::deque<StreamRecord> alive;
  StreamRecord& r = alive.emplace_back();
  r.seq = SequenceNumber(seq);
  r.arrival_ms = kArrival;
  r.payload = std::move(payload);
  return r;
}

const char* kEnvelope = R"({"_mailpulse":{"received_ms":1700000000000,"webhook":"prod","message_id":"m1","event_ms":1699999999000},)";

TEST(LakeLineTest, FlattensEnvelopeIntoMpFields) {
  LakeLineFormatter f;
  FormattedRecord out;
  f.FormatEvent(Rec(std::string(kEnvelope) +
                    R"("email":"a@x.com","timestamp":1699999999,"event":"Open","marketing_campaign_id":42,"category":["promo","x"],"sg_event_id":"e1"})"),
                &out);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.line,
            R"({"mp_received_ms":1700000000000,"mp_webhook":"prod","mp_message_id":"m1","mp_event_ms":1699999999000,)"
            R"("email":"a@x.com","timestamp":1699999999,"event":"Open","marketing_campaign_id":42,"category":["promo","x"],"sg_event_id":"e1"})");
  EXPECT_EQ(out.values.keys[0], "open");
  EXPECT_EQ(out.values.keys[1], "42");
  EXPECT_EQ(out.values.keys[2], "promo");
  EXPECT_EQ(out.values.keys[3], "prod");
  EXPECT_EQ(out.values.event_ms, 1699999999000);
  EXPECT_EQ(out.values.arrival_ms, kArrival);
}

TEST(LakeLineTest, SinglesendIdIsTheCampaignWhenNoMarketingCampaignId) {
  LakeLineFormatter f;
  FormattedRecord out;
  f.FormatEvent(Rec(std::string(kEnvelope) + R"("timestamp":1699999999,"event":"click","singlesend_id":"ss-9"})"), &out);
  EXPECT_EQ(out.values.keys[1], "ss-9");
  EXPECT_EQ(out.values.keys[2], "");
}

TEST(LakeLineTest, NewlinesBetweenTokensBecomeSpaces) {
  LakeLineFormatter f;
  FormattedRecord out;
  f.FormatEvent(Rec(std::string(kEnvelope) + "\r\n \"timestamp\":1699999999,\n\"event\":\"open\",\"url\":\"a\\nb\"\r\n}"), &out);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.line.find('\n'), std::string::npos);
  EXPECT_EQ(out.line.find('\r'), std::string::npos);
  EXPECT_NE(out.line.find(R"("url":"a\nb")"), std::string::npos);
}

TEST(LakeLineTest, EscapedQuotesInsideTheEnvelope) {
  std::string out;
  std::string_view webhook;
  ASSERT_TRUE(FlattenEnvelope(R"({"_mailpulse":{"webhook":"w","message_id":"a\"b,c"},"x":1})", &out, &webhook));
  EXPECT_EQ(out, R"({"mp_webhook":"w","mp_message_id":"a\"b,c","x":1})");
  EXPECT_EQ(webhook, "w");
  ASSERT_TRUE(FlattenEnvelope(R"({"_mailpulse":{},"x":1})", &out, &webhook));
  EXPECT_EQ(out, R"({"x":1})");
  EXPECT_FALSE(FlattenEnvelope(R"({"x":1})", &out, &webhook));
  EXPECT_FALSE(FlattenEnvelope(R"({"_mailpulse":{"a":"unterminated)", &out, &webhook));
  EXPECT_FALSE(FlattenEnvelope(R"({"_mailpulse":{"a":1)", &out, &webhook));
}

TEST(LakeLineTest, RecordWithoutEnvelopeGoesToErrors) {
  LakeLineFormatter f;
  FormattedRecord out;
  f.FormatEvent(Rec(R"({"event":"open","timestamp":1699999999})"), &out);
  EXPECT_TRUE(out.error);
  EXPECT_EQ(out.line,
            R"({"mp_received_ms":1700000000000,"mp_error":"delivery: record has no _mailpulse envelope","raw":{"event":"open","timestamp":1699999999}})");
}

TEST(LakeLineTest, UnparseablePayloadIsKeptAsAString) {
  LakeLineFormatter f;
  FormattedRecord out;
  f.FormatEvent(Rec(std::string(kEnvelope) + R"("event":"open",)"), &out);
  EXPECT_TRUE(out.error);
  EXPECT_EQ(out.line.rfind(R"({"mp_received_ms":1700000000000,"mp_error":"delivery: )", 0), 0u);
  EXPECT_NE(out.line.find(R"("raw":"{\"_mailpulse\":)"), std::string::npos);
}

TEST(LakeLineTest, InvalidEventGoesToErrorsWithItsReason) {
  LakeLineFormatter f;
  FormattedRecord out;
  f.FormatEvent(Rec(std::string(kEnvelope) + R"("timestamp":1699999999})"), &out);
  EXPECT_TRUE(out.error);
  EXPECT_NE(out.line.find(R"("mp_error":"delivery: missing field: event")"), std::string::npos);
}

TEST(LakeLineTest, RejectedRecordsAreFlattened) {
  LakeLineFormatter f;
  FormattedRecord out;
  f.FormatRejected(Rec(R"({"_mailpulse":{"received_ms":1700000000000,"webhook":"default","error":"missing field: event"},"raw":{"timestamp":1}})"),
                   &out);
  EXPECT_TRUE(out.error);
  EXPECT_EQ(out.line,
            R"({"mp_received_ms":1700000000000,"mp_webhook":"default","mp_error":"missing field: event","raw":{"timestamp":1}})");
}

}  // namespace
}  // namespace mailpulse
