// TIMESTAMP text forms, precision-preserving printing, the epoch
// conversions, and the TO_STRING pattern letters.
#include "query/timestamp.h"

#include <gtest/gtest.h>

namespace mailpulse::query {
namespace {

std::string RoundTrip(std::string_view text) {
  Result<Timestamp> ts = ParseTimestamp(text);
  if (!ts.ok()) return "ERROR: " + ts.status().message();
  return FormatTimestamp(*ts);
}

TEST(QueryTimestampTest, ParsesAndPrintsAtItsPrecision) {
  EXPECT_EQ(RoundTrip("2010T"), "2010T");
  EXPECT_EQ(RoundTrip("2010-02T"), "2010-02T");
  EXPECT_EQ(RoundTrip("2010-02-03"), "2010-02-03");
  EXPECT_EQ(RoundTrip("2010-02-03T"), "2010-02-03");
  EXPECT_EQ(RoundTrip("2010-02-03T04:05Z"), "2010-02-03T04:05Z");
  EXPECT_EQ(RoundTrip("2010-02-03T04:05"), "2010-02-03T04:05-00:00");
  EXPECT_EQ(RoundTrip("2010-02-03T04:05:06+01:30"), "2010-02-03T04:05:06+01:30");
  EXPECT_EQ(RoundTrip("2010-02-03T04:05:06.7-08:00"), "2010-02-03T04:05:06.7-08:00");
  EXPECT_EQ(RoundTrip("2010-02-03T04:05:06.123456789Z"), "2010-02-03T04:05:06.123456789Z");
}

TEST(QueryTimestampTest, RejectsMalformedText) {
  for (std::string_view bad :
       {"", "2010", "201T", "2010-13T", "2010-02-30", "2010-02-03T24:00Z", "2010-02-03T04:05:06.Z",
        "2010-02-03T04:05+1:00", "2010-02-03T04:05Zx", "2010-02-03 04:05"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseTimestamp("2010-02-30").status().message(), "invalid timestamp '2010-02-30'");
  EXPECT_TRUE(ParseTimestamp("2012-02-29").ok());  // leap year
}

TEST(QueryTimestampTest, EpochAndCalendar) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  int y = 0, m = 0, d = 0;
  CivilFromDays(11017, &y, &m, &d);
  EXPECT_EQ(y * 10000 + m * 100 + d, 20000301);
  CivilFromDays(-1, &y, &m, &d);
  EXPECT_EQ(y * 10000 + m * 100 + d, 19691231);
  EXPECT_EQ(ParseTimestamp("2025-12-03T19:26:40Z")->EpochSeconds(), 1764790000);
  // The same instant seen from +02:00.
  EXPECT_EQ(ParseTimestamp("2025-12-03T21:26:40+02:00")->EpochSeconds(), 1764790000);
  Timestamp t = TimestampFromEpoch(-1, 0, 60, true, TsPrecision::kSecond, 0);
  EXPECT_EQ(FormatTimestamp(t), "1970-01-01T00:59:59+01:00");
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
}

TEST(QueryTimestampTest, CompareByInstant) {
  Timestamp a = *ParseTimestamp("2010-01-01T10:00+02:00");
  Timestamp b = *ParseTimestamp("2010-01-01T08:00Z");
  Timestamp c = *ParseTimestamp("2010-01-01T08:00:00.5Z");
  EXPECT_EQ(a.CompareInstant(b), 0);
  EXPECT_EQ(b.CompareInstant(c), -1);
  EXPECT_EQ(c.CompareInstant(a), 1);
}

TEST(QueryTimestampTest, Patterns) {
  Timestamp t = *ParseTimestamp("2007-02-03T04:05:06.789-08:30");
  auto fmt = [&](std::string_view p) {
    Result<std::string> s = FormatTimestampPattern(t, p);
    return s.ok() ? *s : "ERROR: " + s.status().message();
  };
  EXPECT_EQ(fmt("yyyy-MM-dd HH:mm:ss.SSS"), "2007-02-03 04:05:06.789");
  EXPECT_EQ(fmt("yy M d H h m s S"), "07 2 3 4 4 5 6 7");
  EXPECT_EQ(fmt("MMM MMMM a hh"), "Feb February AM 04");
  EXPECT_EQ(fmt("X|XX|XXX|x|xxx"), "-0830|-0830|-08:30|-0830|-08:30");
  EXPECT_EQ(fmt("'at' h 'o''clock'''"), "at 4 o'clock'");
  EXPECT_EQ(fmt("Q"), "ERROR: unsupported time format letter 'Q'");
  EXPECT_EQ(fmt("'open"), "ERROR: unterminated quote in time format");
  Timestamp z = *ParseTimestamp("2007-02-03T16:00Z");
  EXPECT_EQ(*FormatTimestampPattern(z, "h a X x"), "4 PM Z +00");
}

}  // namespace
}  // namespace mailpulse::query
