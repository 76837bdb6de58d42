#include "common/url_query.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

TEST(UrlQueryTest, SplitsPairsRawAndInOrder) {
  auto pairs = SplitQuery("region=us-east-1&&endpoint=http%3A%2F%2Fh%3A1&flag&empty=");
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0].key, "region");
  EXPECT_EQ(pairs[0].value, "us-east-1");
  EXPECT_EQ(pairs[1].key, "endpoint");
  EXPECT_EQ(pairs[1].value, "http%3A%2F%2Fh%3A1");  // not decoded here
  EXPECT_EQ(pairs[2].key, "flag");
  EXPECT_FALSE(pairs[2].has_value);
  EXPECT_EQ(pairs[3].key, "empty");
  EXPECT_TRUE(pairs[3].has_value);
  EXPECT_EQ(pairs[3].value, "");
  EXPECT_TRUE(SplitQuery("").empty());
  EXPECT_TRUE(SplitQuery("&&").empty());
}

}  // namespace
}  // namespace mailpulse
