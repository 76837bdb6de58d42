#include <gtest/gtest.h>

#include "common/types.h"

namespace mailpulse {
namespace {

constexpr const char* kKinesis = "49546986683135544286507457936321625675700192471156785154";

TEST(SequenceNumberTest, SmallNumbersStayIn64Bits) {
  auto s = SequenceNumber::FromDecimal("18446744073709551615");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->fits_u64());
  EXPECT_EQ(s->u64(), UINT64_MAX);
  EXPECT_EQ(*SequenceNumber::FromDecimal("0"), SequenceNumber());
  EXPECT_TRUE(SequenceNumber().is_zero());
  EXPECT_EQ(SequenceNumber(42).ToString(), "42");
  EXPECT_EQ(SequenceNumber(42).ToPadded(20), "00000000000000000042");
}

TEST(SequenceNumberTest, KinesisNumbersKeepTheirDigits) {
  auto s = SequenceNumber::FromDecimal(kKinesis);
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->fits_u64());
  EXPECT_FALSE(s->is_zero());
  EXPECT_EQ(s->ToString(), kKinesis);
  EXPECT_EQ(s->ToPadded(20), kKinesis);
  auto just_over = SequenceNumber::FromDecimal("18446744073709551616");
  ASSERT_TRUE(just_over.has_value());
  EXPECT_FALSE(just_over->fits_u64());
  EXPECT_EQ(SequenceNumber::FromDecimal(std::string(129, '9'))->ToString(), std::string(129, '9'));
}

TEST(SequenceNumberTest, RejectsWhatIsNotCanonicalDecimal) {
  for (const char* bad : {"", "007", "-1", "1e5", " 1", "12a", "+3"}) {
    EXPECT_FALSE(SequenceNumber::FromDecimal(bad).has_value()) << bad;
  }
  EXPECT_FALSE(SequenceNumber::FromDecimal(std::string(130, '9')).has_value());
}

TEST(SequenceNumberTest, OrdersNumericallyAcrossRepresentations) {
  SequenceNumber a(7), b(UINT64_MAX);
  SequenceNumber c = *SequenceNumber::FromDecimal("18446744073709551616");
  SequenceNumber d = *SequenceNumber::FromDecimal("99999999999999999999");
  SequenceNumber e = *SequenceNumber::FromDecimal(kKinesis);
  SequenceNumber f =
      *SequenceNumber::FromDecimal("49546986683135544286507457936321625675700192471156785155");
  SequenceNumber end = SequenceNumber::ShardEnd();
  std::vector<SequenceNumber> ordered = {SequenceNumber(), a, b, c, d, e, f, end};
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      EXPECT_EQ(ordered[i] < ordered[j], i < j) << i << " " << j;
      EXPECT_EQ(ordered[i] == ordered[j], i == j) << i << " " << j;
    }
  }
  EXPECT_TRUE(end.is_shard_end());
  EXPECT_FALSE(end.fits_u64());
  EXPECT_EQ(end.ToString(), "SHARD_END");
}

}  // namespace
}  // namespace mailpulse
