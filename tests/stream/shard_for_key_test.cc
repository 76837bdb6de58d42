#include <gtest/gtest.h>

#include "stream/stream.h"

namespace mailpulse {
namespace {

TEST(StreamShardForKeyTest, VerifiedVectorsTwoShards) {
  // md5("a") = 0cc175b9... = 16955237001963240173058271559858726497 < 2^127
  EXPECT_EQ(ShardForKey("a", 2).value(), 0u);
  // md5("user-42") = 157107139746365290205026809710278036035 < 2^127
  EXPECT_EQ(ShardForKey("user-42", 2).value(), 0u);
}

TEST(StreamShardForKeyTest, OneShardTakesEverything) {
  EXPECT_EQ(ShardForKey("anything", 1).value(), 0u);
  EXPECT_EQ(
      ShardHashKeyRange(0, 1),
      std::make_pair(std::string("0"), std::string("340282366920938463463374607431768211455")));
}

TEST(StreamShardForKeyTest, TwoShardBoundaryIsTwoToThe127) {
  EXPECT_EQ(ShardHashKeyRange(0, 2).second, "170141183460469231731687303715884105727");
  EXPECT_EQ(ShardHashKeyRange(1, 2).first, "170141183460469231731687303715884105728");
  EXPECT_EQ(ShardHashKeyRange(1, 2).second, "340282366920938463463374607431768211455");
}

TEST(StreamShardForKeyTest, ThreeShardsMatchKinesisStartingKeys) {
  EXPECT_EQ(ShardHashKeyRange(0, 3).first, "0");
  EXPECT_EQ(ShardHashKeyRange(1, 3).first, "113427455640312821154458202477256070485");
  EXPECT_EQ(ShardHashKeyRange(2, 3).first, "226854911280625642308916404954512140970");
  EXPECT_EQ(ShardHashKeyRange(0, 3).second, "113427455640312821154458202477256070484");
  EXPECT_EQ(ShardHashKeyRange(2, 3).second, "340282366920938463463374607431768211455");
}

TEST(StreamShardForKeyTest, KeysSpreadOverShards) {
  std::vector<int> counts(4);
  for (int i = 0; i < 4000; ++i) ++counts[ShardForKey("msg-" + std::to_string(i), 4).value()];
  for (int c : counts) EXPECT_GT(c, 800);
}

TEST(StreamShardForKeyTest, HashInRangeOfChosenShard) {
  // "a" hashes to 16955237001963240173058271559858726497: for n = 20,
  // w = 17014118346046923173168730371588410572, so shard 0 (just below w).
  EXPECT_EQ(ShardForKey("a", 20).value(), 0u);
  // For n = 21, w = 16203922234330403022065457496750867212 <= hash < 2w: shard 1.
  EXPECT_EQ(ShardForKey("a", 21).value(), 1u);
}

}  // namespace
}  // namespace mailpulse
