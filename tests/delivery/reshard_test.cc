// The consumers over a resharded stream (Kinesis): a closed parent shard is
// read to its end and checkpointed SHARD_END before its children start, and
// is never read again after a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "../stream/memory_stream.h"
#include "analytics/analytics_service.h"
#include "delivery/batch_builder.h"
#include "delivery/delivery_service.h"
#include "delivery_test_util.h"

namespace mailpulse {
namespace {

// Records the order in which objects are stored.
class OrderedStore final : public ObjectStore {
 public:
  Status Put(std::string_view key, std::string_view data, const PutOptions& o) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      order.push_back(std::string(key));
    }
    return inner.Put(key, data, o);
  }
  using ObjectStore::Put;
  Result<std::string> Get(std::string_view key) override { return inner.Get(key); }
  Result<std::string> GetRange(std::string_view k, uint64_t a, uint64_t b) override {
    return inner.GetRange(k, a, b);
  }
  Result<ListPage> List(std::string_view p, std::string_view t, int n) override {
    return inner.List(p, t, n);
  }
  Status Delete(std::string_view key) override { return inner.Delete(key); }
  std::string Describe() const override { return "ordered-memory://"; }

  size_t Lines() {
    size_t n = 0;
    for (auto& [k, v] : inner.Snapshot())
      n += static_cast<size_t>(std::count(v.begin(), v.end(), '\n'));
    return n;
  }
  std::vector<std::string> Order() {
    std::lock_guard<std::mutex> l(mu_);
    return order;
  }

  testing::MemoryObjectStore inner;
  std::mutex mu_;
  std::vector<std::string> order;
};

// Shard 0 held m0..m4 and was split into 1 and 2, which hold 3 records each.
void Reshard(testing::MemoryStream& s) {
  s.AddShard(0);
  s.AddShard(1, {0});
  s.AddShard(2, {0});
  for (int i = 0; i < 5; ++i)
    s.Add(0, "m" + std::to_string(i),
          testing::EventPayload("delivered", "p" + std::to_string(i), "c1"));
  s.CloseShard(0);
  for (uint32_t c : {1u, 2u})
    for (int i = 0; i < 3; ++i)
      s.Add(c, "m" + std::to_string(i),
            testing::EventPayload("open", std::to_string(c * 10 + i), "c1"));
}

uint32_t ShardOf(const std::string& key) {
  auto parts = ParseLakeObjectName(key.substr(key.rfind('/') + 1));
  EXPECT_TRUE(parts.has_value()) << key;
  return parts ? parts->shard.value() : 99;
}

DeliveryOptions Options() {
  DeliveryOptions o;
  o.encoding = "jsonl";
  o.interval_seconds = 0;
  o.idle_poll_ms = 5;
  o.put_concurrency = 1;
  o.shard_refresh_ms = 20;
  return o;
}

void WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TEST(ReshardDeliveryTest, ParentToItsEndThenChildrenAndNeverAgain) {
  testing::MemoryStream stream;
  Reshard(stream);
  OrderedStore lake;
  auto d = DeliveryService::Create(Options(), &stream, &lake);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  (*d)->Start();
  WaitFor([&] {
    return !stream.checkpoint("delivery", 2).is_zero() &&
           !stream.checkpoint("delivery", 1).is_zero();
  });
  (*d)->Stop();

  EXPECT_EQ(lake.Lines(), 11u);
  EXPECT_TRUE(stream.checkpoint("delivery", 0).is_shard_end());
  EXPECT_EQ(stream.checkpoint("delivery", 1), testing::MemoryStream::Seq(1, 3));
  EXPECT_EQ(stream.checkpoint("delivery", 2), testing::MemoryStream::Seq(2, 3));
  // Every object of the parent was stored before any object of a child.
  std::vector<std::string> order = lake.Order();
  ASSERT_FALSE(order.empty());
  bool child_seen = false;
  for (const std::string& key : order) {
    uint32_t shard = ShardOf(key);
    if (shard != 0) child_seen = true;
    EXPECT_FALSE(child_seen && shard == 0) << key << " after a child's object";
    // Kinesis-sized numbers are kept whole in the object name.
    EXPECT_NE(key.find(testing::MemoryStream::Seq(shard, 1).ToString().substr(0, 40)),
              std::string::npos)
        << key;
  }
  int opened_parent = stream.opened(0);
  EXPECT_EQ(opened_parent, 1);

  // A restart: the parent is finished and never opened again; nothing is
  // written twice.
  size_t puts = order.size();
  auto again = DeliveryService::Create(Options(), &stream, &lake);
  ASSERT_TRUE(again.ok());
  (*again)->Start();
  WaitFor([&] { return stream.opened(1) >= 2 && stream.opened(2) >= 2; });
  (*again)->Stop();
  EXPECT_EQ(stream.opened(0), opened_parent);
  EXPECT_EQ(lake.Order().size(), puts);
  EXPECT_EQ(lake.Lines(), 11u);
}

TEST(ReshardAnalyticsTest, AppliesEveryRecordOnceParentFirst) {
  testing::MemoryStream stream;
  Reshard(stream);
  AnalyticsOptions o;
  o.shard_refresh_ms = 1'000'000;  // only a shard end may trigger the look for children
  auto a = AnalyticsService::Open(&stream, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(stream.opened(0), 1);
  EXPECT_EQ(stream.opened(1), 0) << "a child waits for its parent";
  ASSERT_TRUE((*a)->CatchUp().ok());
  EXPECT_EQ(stream.opened(1), 1);
  EXPECT_EQ(stream.opened(2), 1);
  (*a)->Read([](const KpiStore& s) { EXPECT_EQ(s.events_applied(), 11); });
  // A child gets more records later: applied once, the parent is not reread.
  stream.Add(1, "m9", testing::EventPayload("open", "late", "c1"));
  ASSERT_TRUE((*a)->CatchUp().ok());
  (*a)->Read([](const KpiStore& s) { EXPECT_EQ(s.events_applied(), 12); });
  EXPECT_EQ(stream.opened(0), 1);
}

}  // namespace
}  // namespace mailpulse
