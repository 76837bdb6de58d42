#include "event/event.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

TEST(EventFields, NormalizeSecondsAndMillis) {
  EXPECT_EQ(NormalizeTimestampMillis(1513299569), 1513299569000);
  EXPECT_EQ(NormalizeTimestampMillis(1591726752372), 1591726752372);
  EXPECT_EQ(NormalizeTimestampMillis(100000000000), 100000000000000);  // exactly 1e11: seconds
  EXPECT_EQ(NormalizeTimestampMillis(100000000001), 100000000001);
}

TEST(EventFields, MessageIdIsPrefixBeforeFirstDot) {
  EXPECT_EQ(
      MessageIdOf("LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0"),
      "LRzXl_NHStOGhQ4kofSm_A");
  EXPECT_EQ(MessageIdOf("nodot"), "nodot");
  EXPECT_EQ(MessageIdOf(""), "");
  EXPECT_EQ(MessageIdOf(".x"), "");
}

TEST(EventFields, PartitionKeyFallbacks) {
  EventFields f;
  EXPECT_EQ(PartitionKey(f), "_none");
  f.sg_event_id = "evid";
  EXPECT_EQ(PartitionKey(f), "evid");
  f.email = "a@b.c";
  EXPECT_EQ(PartitionKey(f), "a@b.c");
  f.message_id = "msg";
  EXPECT_EQ(PartitionKey(f), "msg");
  std::string long_id(300, 'x');
  f.message_id = long_id;
  EXPECT_EQ(PartitionKey(f).size(), kMaxPartitionKeyBytes);
}

TEST(EventFields, DedupeKeyUsesEventIdElseFallback) {
  EventFields f;
  f.event = "open";
  f.timestamp_ms = 1600000000000;
  f.message_id = "m";
  f.email = "a@b.c";
  f.url = "u";
  EXPECT_EQ(DedupeKey(f), std::string("\0m\x1fopen\x1f"
                                      "1600000000000\x1f"
                                      "a@b.c\x1fu",
                                      29));
  f.sg_event_id = "abc";
  EXPECT_EQ(DedupeKey(f), "abc");
  // An id that starts with the fallback prefix cannot be trusted to stay in its space.
  std::string fake("\0m", 2);
  f.sg_event_id = fake;
  EXPECT_EQ(DedupeKey(f).front(), '\0');
  EXPECT_NE(DedupeKey(f), fake);
}

TEST(EventFields, ValidateReasons) {
  const UnixMillis received = 1700000000000;
  EventFields f;
  EXPECT_EQ(ValidateEvent(f, received), "missing field: event");
  f.has_event = true;
  EXPECT_EQ(ValidateEvent(f, received), "event must not be empty");
  f.event = "open";
  EXPECT_EQ(ValidateEvent(f, received), "missing field: timestamp");
  f.has_timestamp = true;
  f.timestamp_ms = kMinEventMillis - 1;
  EXPECT_EQ(ValidateEvent(f, received), "timestamp out of range");
  f.timestamp_ms = kMinEventMillis;
  EXPECT_EQ(ValidateEvent(f, received), std::nullopt);
  f.timestamp_ms = received + kMaxFutureSkewMillis;
  EXPECT_EQ(ValidateEvent(f, received), std::nullopt);
  f.timestamp_ms = received + kMaxFutureSkewMillis + 1;
  EXPECT_EQ(ValidateEvent(f, received), "timestamp out of range");
}

}  // namespace
}  // namespace mailpulse
