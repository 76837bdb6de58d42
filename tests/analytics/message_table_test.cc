#include "analytics/message_table.h"

#include <gtest/gtest.h>

#include <string>

namespace mailpulse {
namespace {

TEST(MessageTableTest, FindOrInsertKeepsStateAcrossGrowth) {
  MessageTable t;
  for (int i = 0; i < 10000; ++i) {
    bool inserted = false;
    MessageState* st = t.FindOrInsert("msg-" + std::to_string(i), &inserted);
    ASSERT_TRUE(inserted);
    st->first_open_min = static_cast<uint32_t>(i + 1);
  }
  EXPECT_EQ(t.size(), 10000u);
  for (int i = 0; i < 10000; ++i) {
    MessageState* st = t.Find("msg-" + std::to_string(i));
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->first_open_min, static_cast<uint32_t>(i + 1));
  }
  bool inserted = true;
  t.FindOrInsert("msg-5", &inserted);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(t.Find("msg-10000"), nullptr);
  EXPECT_EQ(t.Find(""), nullptr);
}

TEST(MessageTableTest, KeysThatShareAPrefixAreDistinct) {
  MessageTable t;
  bool ins = false;
  t.FindOrInsert("abc", &ins)->flags = 1;
  t.FindOrInsert("abcd", &ins)->flags = 2;
  t.FindOrInsert("ab", &ins)->flags = 4;
  EXPECT_EQ(t.Find("abc")->flags, 1);
  EXPECT_EQ(t.Find("abcd")->flags, 2);
  EXPECT_EQ(t.Find("ab")->flags, 4);
}

TEST(MessageTableTest, BudgetEvictsLeastRecentlySeen) {
  const size_t budget = 256 * 1024;
  MessageTable t(budget);
  for (uint32_t i = 0; i < 20000; ++i) {
    bool inserted = false;
    MessageState* st = t.FindOrInsert("message-" + std::to_string(i), &inserted);
    st->last_seen_min = i + 1;
    ASSERT_LE(t.memory_bytes(), budget) << i;
  }
  EXPECT_GT(t.evictions(), 0u);
  EXPECT_GT(t.evicted_through_min(), 0u);
  EXPECT_NE(t.Find("message-19999"), nullptr) << "the newest survive";
  EXPECT_EQ(t.Find("message-0"), nullptr) << "the oldest go first";
  EXPECT_EQ(t.size() + t.evictions(), 20000u);
}

TEST(MessageTableTest, SlotSizeIsDocumented) { EXPECT_EQ(MessageTable::kSlotBytes, 48u); }

}  // namespace
}  // namespace mailpulse
