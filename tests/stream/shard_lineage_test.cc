#include "stream/shard_lineage.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

ShardInfo Shard(uint32_t id, std::vector<uint32_t> parents = {}, bool closed = false) {
  ShardInfo s;
  s.id = ShardId(id);
  for (uint32_t p : parents) s.parents.push_back(ShardId(p));
  s.closed = closed;
  return s;
}

std::vector<uint32_t> Ids(const std::vector<ShardId>& v) {
  std::vector<uint32_t> out;
  for (ShardId s : v) out.push_back(s.value());
  return out;
}

TEST(ShardLineageTest, FixedShardsAreAllReady) {
  EXPECT_EQ(Ids(ReadyShards({Shard(0), Shard(1), Shard(2)}, {})), (std::vector<uint32_t>{0, 1, 2}));
}

TEST(ShardLineageTest, ChildrenWaitForTheirParentsEnd) {
  // 0 was split into 1 and 2; 1 and 2 were merged into 3.
  std::vector<ShardInfo> shards = {Shard(0, {}, true), Shard(1, {0}, true), Shard(2, {0}, true),
                                   Shard(3, {1, 2})};
  EXPECT_EQ(Ids(ReadyShards(shards, {})), (std::vector<uint32_t>{0}));
  EXPECT_EQ(Ids(ReadyShards(shards, {ShardId(0)})), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(Ids(ReadyShards(shards, {ShardId(0), ShardId(1)})), (std::vector<uint32_t>{2}));
  EXPECT_EQ(Ids(ReadyShards(shards, {ShardId(0), ShardId(1), ShardId(2)})),
            (std::vector<uint32_t>{3}));
}

TEST(ShardLineageTest, ATrimmedParentHoldsNothingBack) {
  // Parent 0 expired (no longer listed): its children start at once.
  EXPECT_EQ(Ids(ReadyShards({Shard(1, {0}), Shard(2, {0})}, {})), (std::vector<uint32_t>{1, 2}));
}

}  // namespace
}  // namespace mailpulse
