// S3 Select's event-stream framing against byte-exact vectors (MinIO's
// message.go, CRCs recomputed with zlib.crc32) and round trips.
#include "query/s3select/event_stream.h"

#include <gtest/gtest.h>

#include <string>

namespace mailpulse {
namespace {

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(EventStreamTest, ContMatchesTheReferenceBytes) {
  EXPECT_EQ(Hex(ContEvent()),
            "00000039000000298ba19df2"
            "0d3a6d6573736167652d747970650700056576656e74"
            "0b3a6576656e742d74797065070004436f6e74"
            "9c864a0d");
}

TEST(EventStreamTest, EndMatchesTheReferenceBytes) {
  EXPECT_EQ(Hex(EndEvent()),
            "0000003800000028c1c684d4"
            "0d3a6d6573736167652d747970650700056576656e74"
            "0b3a6576656e742d74797065070003456e64"
            "cf97d392");
}

TEST(EventStreamTest, RecordsMatchesTheReferenceBytes) {
  std::string out;
  AppendRecordsEvents("a,b\n", &out);
  EXPECT_EQ(Hex(out),
            "0000006900000055ea016f2e0d3a6d6573736167652d747970650700056576656e740d3a636f6e74656e74"
            "2d747970650700186170706c69636174696f6e2f6f637465742d73747265616d0b3a6576656e742d747970"
            "650700075265636f726473612c620a65fbd276");
}

TEST(EventStreamTest, EmptyRecordsPayloadWritesNoMessage) {
  std::string out;
  AppendRecordsEvents("", &out);
  EXPECT_EQ(out, "");
}

TEST(EventStreamTest, LongRecordsAreSplitAtTheSdkLimit) {
  std::string payload(2 * kMaxRecordsPayload + 10, 'x');
  std::string out;
  AppendRecordsEvents(payload, &out);
  auto events = DecodeEventStream(out);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].payload.size(), kMaxRecordsPayload);
  EXPECT_EQ((*events)[1].payload.size(), kMaxRecordsPayload);
  EXPECT_EQ((*events)[2].payload.size(), 10u);
  for (const auto& e : *events) EXPECT_EQ(e.header(":event-type"), "Records");
}

TEST(EventStreamTest, StatsCarryTheThreeCounters) {
  auto events = DecodeEventStream(StatsEvent({50, 50, 36}));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  const DecodedEvent& e = events->front();
  EXPECT_EQ(e.header(":message-type"), "event");
  EXPECT_EQ(e.header(":event-type"), "Stats");
  EXPECT_EQ(e.header(":content-type"), "text/xml");
  EXPECT_EQ(e.payload,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Stats><BytesScanned>50</BytesScanned>"
            "<BytesProcessed>50</BytesProcessed><BytesReturned>36</BytesReturned></Stats>");
}

TEST(EventStreamTest, ProgressClosesItsOwnElement) {
  auto events = DecodeEventStream(ProgressEvent({7, 9, 3}));
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->front().header(":event-type"), "Progress");
  EXPECT_NE(events->front().payload.find("<Progress><BytesScanned>7</BytesScanned>"),
            std::string::npos);
  EXPECT_TRUE(events->front().payload.ends_with("</Progress>"));
}

TEST(EventStreamTest, ErrorIsAnErrorMessageWithCodeAndText) {
  auto events = DecodeEventStream(ErrorEvent("InternalError", "query stopped: time limit"));
  ASSERT_TRUE(events.ok());
  const DecodedEvent& e = events->front();
  EXPECT_EQ(e.header(":message-type"), "error");
  EXPECT_EQ(e.header(":error-code"), "InternalError");
  EXPECT_EQ(e.header(":error-message"), "query stopped: time limit");
  EXPECT_EQ(e.payload, "");
}

TEST(EventStreamTest, AWholeResponseDecodesInOrder) {
  std::string body;
  AppendRecordsEvents("{\"total_record_count\":3}\n", &body);
  body += StatsEvent({50, 50, 25}) + EndEvent();
  auto events = DecodeEventStream(body);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].payload, "{\"total_record_count\":3}\n");
  EXPECT_EQ((*events)[1].header(":event-type"), "Stats");
  EXPECT_EQ((*events)[2].header(":event-type"), "End");
}

TEST(EventStreamTest, ACorruptMessageCrcIsRefusedWithItsOffset) {
  std::string body = ContEvent() + EndEvent();
  body[body.size() - 20] ^= 1;  // inside End's headers
  auto events = DecodeEventStream(body);
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().message(), "event stream: message CRC mismatch at byte 57");
}

TEST(EventStreamTest, ACorruptPreludeCrcIsRefused) {
  std::string body = EndEvent();
  body[1] = 0x7f;  // total length changes: the prelude CRC no longer matches
  auto events = DecodeEventStream(body);
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().message(), "event stream: bad total length at byte 0");
  body = EndEvent();
  body[9] ^= 1;
  events = DecodeEventStream(body);
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().message(), "event stream: prelude CRC mismatch at byte 0");
}

TEST(EventStreamTest, ATruncatedStreamIsRefused) {
  std::string body = ContEvent();
  auto events = DecodeEventStream(std::string_view(body).substr(0, body.size() - 1));
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().message(), "event stream: bad total length at byte 0");
  events = DecodeEventStream(std::string_view(body).substr(0, 10));
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().message(), "event stream: truncated message at byte 0");
}

}  // namespace
}  // namespace mailpulse
