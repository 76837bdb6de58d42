// Firehose prefix expressions: the worked examples of the Firehose guide
// (s3-prefixes.md), its validation rules, the date pattern subset, Hive-safe
// partition values and mailpulse's event-time extension.
#include "delivery/prefix_template.h"

#include <gtest/gtest.h>

#include "common/config.h"
#include "delivery/delivery_service.h"

namespace mailpulse {
namespace {

constexpr UnixMillis kAug27_1030 = 1535365805123;  // 2018-08-27T10:30:05.123Z, a Monday
constexpr UnixMillis kJul06_2315 = 1530918900000;  // 2018-07-06T23:15:00Z

PrefixValues At(UnixMillis t) {
  PrefixValues v;
  v.arrival_ms = t;
  v.event_ms = t;
  v.error_output_type = "processing-failed";
  return v;
}

struct Pair {
  PrefixTemplate data, error;
};
Pair MustPair(std::string_view prefix, std::string_view error) {
  Pair p;
  Status st = PrefixTemplate::ParsePair(prefix, error, &p.data, &p.error);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return p;
}

TEST(PrefixTemplateTest, WorkedExampleUnspecifiedPrefixWithErrorPrefix) {
  Pair p = MustPair("", "myFirehoseFailures/!{firehose:error-output-type}/");
  // The guide prints "2018/08/27/10"; the appended expression is yyyy/MM/dd/HH/.
  EXPECT_EQ(p.data.Evaluate(At(kAug27_1030)), "2018/08/27/10/");
  EXPECT_EQ(p.error.Evaluate(At(kAug27_1030)), "myFirehoseFailures/processing-failed/");
}

TEST(PrefixTemplateTest, WorkedExampleTimestampPrefixNeedsErrorPrefix) {
  PrefixTemplate d, e;
  Status st = PrefixTemplate::ParsePair("!{timestamp:yyyy/MM/dd}", "", &d, &e);
  EXPECT_EQ(st.kind(), ErrorKind::kInvalid);
}

TEST(PrefixTemplateTest, WorkedExamplePlainPrefixDerivesBoth) {
  Pair p = MustPair("myFirehosePrefix", "");
  // The guide's example omits the hour its own rule (yyyy/MM/dd/HH/) appends.
  EXPECT_EQ(p.data.Evaluate(At(kAug27_1030)), "myFirehosePrefix/2018/08/27/10/");
  EXPECT_EQ(p.error.Evaluate(At(kAug27_1030)), "myFirehosePrefix/processing-failed/2018/08/27/10/");
}

TEST(PrefixTemplateTest, WorkedExampleHiveStyleTimestamps) {
  Pair p = MustPair("myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
                    "myPrefix/!{firehose:error-output-type}/");
  EXPECT_EQ(p.data.Evaluate(At(kJul06_2315)), "myPrefix/year=2018/month=07/day=06/hour=23/");
}

TEST(PrefixTemplateTest, ValidationRules) {
  using K = PrefixTemplate::Kind;
  EXPECT_EQ(PrefixTemplate::Parse("a/!{firehose:error-output-type}/", K::kData).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("errors/", K::kError).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("e/!{firehose:error-output-type}/!{partitionKeyFromQuery:campaign}/", K::kError)
                .status()
                .kind(),
            ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("e/!{firehose:error-output-type}/!{event_timestamp:yyyy}/", K::kError).status().kind(),
            ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("a/!{partitionKeyFromQuery:customer_id}/", K::kData).status().kind(),
            ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("a/!{partitionKeyFromLambda:x}/", K::kData).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("a/!{timestamp:yyyy", K::kData).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("a/!{nocolon}/", K::kData).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse("a/!{timestamp:QQ}/", K::kData).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(PrefixTemplate::Parse(std::string(1025, 'a'), K::kData).status().kind(), ErrorKind::kInvalid);
  // A '!' not followed by '{' is an ordinary character.
  auto ok = PrefixTemplate::Parse("wow!/x=!{timestamp:yyyy}/", K::kData);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->Evaluate(At(kAug27_1030)), "wow!/x=2018/");
}

TEST(PrefixTemplateTest, DatePatternSubset) {
  EXPECT_EQ(*FormatTimestamp("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", kAug27_1030), "2018-08-27T10:30:05.123Z");
  EXPECT_EQ(*FormatTimestamp("yy/M/d H", kAug27_1030), "18/8/27 10");
  EXPECT_EQ(*FormatTimestamp("yyyy/DDD", kAug27_1030), "2018/239");
  EXPECT_EQ(*FormatTimestamp("MMM MMMM EEE EEEE", kAug27_1030), "Aug August Mon Monday");
  EXPECT_EQ(*FormatTimestamp("h a", kAug27_1030), "10 AM");
  EXPECT_EQ(*FormatTimestamp("hh a", kJul06_2315), "11 PM");
  EXPECT_EQ(*FormatTimestamp("'it''s' yyyy", kAug27_1030), "it's 2018");
  EXPECT_EQ(*FormatTimestamp("''", kAug27_1030), "'");
  EXPECT_EQ(*FormatTimestamp("S", kAug27_1030), "1");
  EXPECT_EQ(*FormatTimestamp("uuuu", 0), "1970");
  EXPECT_EQ(FormatTimestamp("yyyy 'open", 0).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(FormatTimestamp("yyyy[MM]", 0).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(FormatTimestamp("Q", 0).status().kind(), ErrorKind::kInvalid);
}

TEST(PrefixTemplateTest, RepeatedTimestampsUseOneInstant) {
  auto t = PrefixTemplate::Parse("!{timestamp:yyyy}/!{timestamp:yyyy-MM-dd}/", PrefixTemplate::Kind::kData);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Evaluate(At(kAug27_1030)), "2018/2018-08-27/");
}

TEST(PrefixTemplateTest, PartitionKeysAreHiveEscaped) {
  auto t = PrefixTemplate::Parse(
      "t=!{partitionKeyFromQuery:event_type}/c=!{partitionKeyFromQuery:campaign}/"
      "k=!{partitionKeyFromQuery:category}/w=!{partitionKeyFromQuery:webhook}/",
      PrefixTemplate::Kind::kData);
  ASSERT_TRUE(t.ok());
  PrefixValues v = At(kAug27_1030);
  v.keys = {"open", "", "a/b c", "prod-1"};
  EXPECT_EQ(t->Evaluate(v), "t=open/c=__HIVE_DEFAULT_PARTITION__/k=a%2Fb%20c/w=prod-1/2018/08/27/10/");
  std::string out;
  AppendPartitionValue(out, std::string(300, 'x'));
  EXPECT_EQ(out, std::string(128, 'x'));
  out.clear();
  AppendPartitionValue(out, "..");
  EXPECT_EQ(out, "%2E%2E");
  out.clear();
  AppendPartitionValue(out, "caf\xc3\xa9");
  EXPECT_EQ(out, "caf%C3%A9");
}

TEST(PrefixTemplateTest, GroupKeyHoldsOnlyPerRecordParts) {
  auto t = PrefixTemplate::Parse("t=!{partitionKeyFromQuery:event_type}/!{timestamp:HH}/", PrefixTemplate::Kind::kData);
  ASSERT_TRUE(t.ok());
  PrefixValues a = At(kAug27_1030), b = At(kJul06_2315);
  a.keys[0] = b.keys[0] = "open";
  EXPECT_EQ(t->GroupKey(a), t->GroupKey(b));
  b.keys[0] = "click";
  EXPECT_NE(t->GroupKey(a), t->GroupKey(b));
}

TEST(PrefixTemplateTest, EventTimestampExtension) {
  auto t = PrefixTemplate::Parse("events/event_dt=!{event_timestamp:yyyy-MM-dd}/", PrefixTemplate::Kind::kData);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->uses_event_time());
  PrefixValues v = At(kAug27_1030);
  v.event_ms = kJul06_2315;
  // An event-time expression counts as a timestamp: nothing is appended.
  EXPECT_EQ(t->Evaluate(v), "events/event_dt=2018-07-06/");
  PrefixValues w = v;
  w.event_ms = kAug27_1030;
  EXPECT_NE(t->GroupKey(v), t->GroupKey(w));
}

TEST(PrefixTemplateTest, RandomStringIsElevenCharsAndNewEachUse) {
  auto t = PrefixTemplate::Parse("r/!{firehose:random-string}/!{firehose:random-string}/", PrefixTemplate::Kind::kData);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->uses_random());
  std::string s = t->Evaluate(At(kAug27_1030));
  ASSERT_EQ(s.size(), std::string("r/046b6c7f-0b/046b6c7f-0b/2018/08/27/10/").size());
  EXPECT_EQ(s[10], '-');
  EXPECT_NE(s.substr(2, 11), s.substr(14, 11));
}

TEST(PrefixTemplateTest, DefaultLayoutIsHiveStyle) {
  Pair p = MustPair(DeliveryOptions::kDefaultLakePrefix, DeliveryOptions::kDefaultLakeErrorPrefix);
  PrefixValues v = At(kAug27_1030);
  v.keys = {"open", "1234", "", "default"};
  EXPECT_EQ(p.data.Evaluate(v), "events/event_type=open/campaign=1234/dt=2018-08-27/hour=10/");
  EXPECT_EQ(p.error.Evaluate(v), "errors/processing-failed/dt=2018-08-27/hour=10/");
}

}  // namespace
}  // namespace mailpulse

namespace mailpulse {
namespace {
// The config table (common/) cannot include delivery/; keep the two in step.
TEST(PrefixTemplateTest, ConfigDefaultsMatchDeliveryDefaults) {
  Config c;
  EXPECT_EQ(c.GetString("lake_prefix"), DeliveryOptions::kDefaultLakePrefix);
  EXPECT_EQ(c.GetString("lake_error_prefix"), DeliveryOptions::kDefaultLakeErrorPrefix);
  EXPECT_EQ(c.GetString("lake_encoding"), DeliveryOptions().encoding);
  EXPECT_EQ(c.GetInt("buffer_size"), static_cast<int64_t>(DeliveryOptions().buffer_bytes));
  EXPECT_EQ(c.GetInt("flush_interval"), DeliveryOptions().interval_seconds);
}
}  // namespace
}  // namespace mailpulse
