// Per-message state beyond the memory budget spills to disk (SpillStore) and
// comes back exactly: the counts with a tiny budget equal the counts with no
// budget, for shuffled traffic with duplicates, and across a crash between
// snapshots (the spill checkpoint named by the snapshot is what is restored).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "analytics/bloom_filter.h"
#include "analytics/kpi_store.h"
#include "analytics/message_table.h"
#include "analytics/spill_store.h"
#include "kpi_test_util.h"

namespace mailpulse {
namespace {

using testing::kMin;
using testing::kT0;
using testing::Record;

TEST(BloomFilterTest, NoFalseNegativesAcrossLayersFewFalsePositivesRoundTrip) {
  BloomFilter f;
  const int n = static_cast<int>(BloomFilter::kFirstLayerKeys) * 3;  // three layers
  for (int i = 0; i < n; ++i) f.Add("in-" + std::to_string(i));
  EXPECT_EQ(f.keys(), static_cast<uint64_t>(n));
  for (int i = 0; i < n; ++i) ASSERT_TRUE(f.MayContain("in-" + std::to_string(i))) << i;
  int false_positives = 0;
  for (int i = 0; i < 100000; ++i) false_positives += f.MayContain("out-" + std::to_string(i));
  EXPECT_LT(false_positives, 3000);  // ~1% per layer, three layers

  std::string blob;
  f.EncodeTo(blob);
  blob += "tail";
  std::string_view in = blob;
  BloomFilter g;
  ASSERT_TRUE(g.DecodeFrom(in).ok());
  EXPECT_EQ(in, "tail");
  EXPECT_EQ(g.keys(), f.keys());
  for (int i = 0; i < n; i += 97) ASSERT_TRUE(g.MayContain("in-" + std::to_string(i)));
  std::string_view cut = std::string_view(blob).substr(0, blob.size() / 2);
  EXPECT_EQ(g.DecodeFrom(cut).kind(), ErrorKind::kCorruption);
}

class SpillTest : public ::testing::Test {
 public:
  static constexpr size_t kTinyBudget = 64 * 1024;  // ~768 messages in RAM

 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-spill-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static std::vector<std::string> Traffic() { return testing::MixedTraffic(3000, 11); }

  static void ApplyAll(KpiStore& store, const std::vector<std::string>& records, size_t from,
                       size_t to) {
    KpiEventDecoder d;
    for (size_t i = from; i < to; ++i) testing::ApplyRecord(store, d, records[i]);
  }

  static KpiStoreOptions Tiny() {
    KpiStoreOptions o;
    o.message_memory_bytes = kTinyBudget;
    return o;
  }

  std::string root_;
};

TEST_F(SpillTest, MessageTableBringsSpilledStateBackExactly) {
  auto spill = SpillStore::Open(root_ + "/spill", 0);
  ASSERT_TRUE(spill.ok()) << spill.status().ToString();
  MessageTable t(kTinyBudget);
  t.AttachSpill(spill->get());
  for (uint32_t i = 0; i < 5000; ++i) {
    bool inserted = false;
    MessageState* st = t.FindOrInsert("message-" + std::to_string(i), &inserted);
    ASSERT_TRUE(inserted) << i;
    st->last_seen_min = i + 1;
    st->url_bits = i * 7;
    st->flags = static_cast<uint8_t>(i % 31);
    st->delivered_s = i * 3;
    ASSERT_LE(t.memory_bytes(), kTinyBudget) << i;
  }
  ASSERT_TRUE(t.spill_status().ok()) << t.spill_status().ToString();
  EXPECT_EQ(t.evictions(), 0u) << "nothing is forgotten with a spill store";
  EXPECT_GT(t.spilled(), 0u);
  EXPECT_EQ(t.size() + t.spilled(), 5000u);
  EXPECT_EQ(t.disk_lookups(), 0u) << "new ids are answered by the bloom filter (almost always)";
  EXPECT_EQ(t.Find("message-0"), nullptr) << "the coldest left RAM";
  for (uint32_t i = 0; i < 5000; i += 13) {
    bool inserted = true;
    MessageState* st = t.FindOrInsert("message-" + std::to_string(i), &inserted);
    ASSERT_FALSE(inserted) << i;
    EXPECT_EQ(st->url_bits, i * 7) << i;
    EXPECT_EQ(st->flags, i % 31) << i;
    EXPECT_EQ(st->delivered_s, i * 3) << i;
    st->last_seen_min = 10000 + i;  // now the hottest
  }
  EXPECT_GT(t.disk_hits(), 0u);
  EXPECT_LE(t.disk_hits(), t.disk_lookups());
  EXPECT_EQ(t.size() + t.spilled(), 5000u);
}

TEST_F(SpillTest, CountsWithATinyBudgetEqualCountsWithout) {
  std::vector<std::string> records = Traffic();
  KpiStore unlimited;
  ApplyAll(unlimited, records, 0, records.size());
  KpiStore tiny(Tiny());
  ASSERT_TRUE(tiny.AttachSpill(root_ + "/spill").ok());
  ApplyAll(tiny, records, 0, records.size());
  ASSERT_TRUE(tiny.status().ok()) << tiny.status().ToString();
  EXPECT_GT(tiny.messages().spilled(), 0u);
  EXPECT_GT(tiny.messages().disk_hits(), 0u);
  EXPECT_EQ(tiny.messages().size() + tiny.messages().spilled(), unlimited.messages().size());
  testing::ExpectSameKpis(unlimited, tiny);

  // Without a spill store the same budget forgets state, and counts drift:
  // the reason spilling exists (and proof this traffic exercises it).
  KpiStore forgetful(Tiny());
  ApplyAll(forgetful, records, 0, records.size());
  EXPECT_GT(forgetful.messages().evictions(), 0u);
  EXPECT_NE(forgetful.Find("ss0")->total, unlimited.Find("ss0")->total);
}

TEST_F(SpillTest, CrashAfterASnapshotRestoresTheSpillCheckpointExactly) {
  std::vector<std::string> records = Traffic();
  const size_t third = records.size() / 3;
  KpiStore unlimited;
  ApplyAll(unlimited, records, 0, records.size());

  std::string blob;
  {
    KpiStore first(Tiny());
    ASSERT_TRUE(first.AttachSpill(root_ + "/spill").ok());
    ApplyAll(first, records, 0, third);
    ASSERT_TRUE(first.CheckpointSpill().ok());
    blob = first.Serialize({{ShardId(0), SequenceNumber(third)}});
    ASSERT_TRUE(first.DropOldSpillCheckpoints().ok());
    // Applied after the snapshot, spilling more to the live store, then a
    // crash: none of it may leak into the restart.
    ApplyAll(first, records, third, 2 * third);
    ASSERT_GT(first.messages().spilled(), 0u);
  }
  StreamPositions pos;
  std::string blob2;
  uint64_t spilled = 0;
  {
    KpiStore second(Tiny());
    ASSERT_TRUE(second.Deserialize(blob, &pos).ok());
    ASSERT_EQ(pos, (StreamPositions{{ShardId(0), SequenceNumber(third)}}));
    ASSERT_TRUE(second.AttachSpill(root_ + "/spill").ok());
    ApplyAll(second, records, third, records.size());
    ASSERT_TRUE(second.status().ok()) << second.status().ToString();
    testing::ExpectSameKpis(unlimited, second);
    // A second generation: checkpoint, snapshot, clean stop, restart.
    ASSERT_TRUE(second.CheckpointSpill().ok());
    blob2 = second.Serialize({{ShardId(0), SequenceNumber(records.size())}});
    ASSERT_TRUE(second.DropOldSpillCheckpoints().ok());
    spilled = second.messages().spilled();
    ASSERT_GT(spilled, 0u);
  }
  EXPECT_FALSE(std::filesystem::exists(root_ + "/spill/ckpt-1"));
  EXPECT_TRUE(std::filesystem::exists(root_ + "/spill/ckpt-2"));
  KpiStore third_run(Tiny());
  ASSERT_TRUE(third_run.Deserialize(blob2, &pos).ok());
  ASSERT_TRUE(third_run.AttachSpill(root_ + "/spill").ok());
  EXPECT_EQ(third_run.messages().spilled(), spilled);
  testing::ExpectSameKpis(unlimited, third_run);
  // Once-per-message events replayed (as duplicates beyond the dedupe window
  // would be) change nothing: every message's flags survived, on disk or not.
  std::vector<std::string> once;
  for (const std::string& r : records) {
    if (r.find(R"("event":"processed")") != std::string::npos ||
        r.find(R"("event":"delivered")") != std::string::npos) {
      once.push_back(r);
    }
  }
  ApplyAll(third_run, once, 0, once.size());
  ASSERT_TRUE(third_run.status().ok());
  EXPECT_GT(third_run.messages().disk_hits(), 0u);
  testing::ExpectSameKpis(unlimited, third_run);
}

// An in-memory MessageSpill whose calls fail on demand.
class FlakySpill final : public MessageSpill {
 public:
  Status Put(const std::vector<std::pair<std::string, std::string>>& batch) override {
    if (fail_puts) return Status::Retry("injected: disk full");
    for (const auto& [k, v] : batch) kv[k] = v;
    return Status::Ok();
  }
  Result<bool> Take(std::string_view id, std::string* value) override {
    if (fail_takes) return Status::Fail("injected: read error");
    auto it = kv.find(std::string(id));
    if (it == kv.end()) return false;
    *value = it->second;
    kv.erase(it);
    return true;
  }
  std::map<std::string, std::string> kv;
  bool fail_puts = false;
  bool fail_takes = false;
};

TEST(SpillFailureTest, AFailedSpillKeepsEverythingInRamAndIsSticky) {
  FlakySpill spill;
  spill.fail_puts = true;
  MessageTable t(SpillTest::kTinyBudget);
  t.AttachSpill(&spill);
  for (uint32_t i = 0; i < 3000; ++i) {
    bool inserted = false;
    t.FindOrInsert("message-" + std::to_string(i), &inserted)->last_seen_min = i + 1;
  }
  EXPECT_EQ(t.spill_status().kind(), ErrorKind::kRetry);
  EXPECT_EQ(t.size(), 3000u) << "nothing lost: the table grew past its budget instead";
  EXPECT_EQ(t.spilled(), 0u);
  EXPECT_EQ(t.evictions(), 0u);
  EXPECT_GT(t.memory_bytes(), SpillTest::kTinyBudget);
  spill.fail_puts = false;  // sticky: no more spilling once the state is in doubt
  bool inserted = false;
  t.FindOrInsert("message-new", &inserted);
  EXPECT_TRUE(spill.kv.empty());
  EXPECT_FALSE(t.spill_status().ok());
}

TEST(SpillFailureTest, AFailedReadBackIsReported) {
  FlakySpill spill;
  MessageTable t(SpillTest::kTinyBudget);
  t.AttachSpill(&spill);
  for (uint32_t i = 0; i < 3000; ++i) {
    bool inserted = false;
    t.FindOrInsert("message-" + std::to_string(i), &inserted)->last_seen_min = i + 1;
  }
  ASSERT_TRUE(t.spill_status().ok());
  ASSERT_EQ(spill.kv.count("message-0"), 1u);
  spill.fail_takes = true;
  bool inserted = false;
  t.FindOrInsert("message-0", &inserted);
  EXPECT_EQ(t.spill_status().kind(), ErrorKind::kFail);
  EXPECT_EQ(t.disk_hits(), 0u);
}

TEST_F(SpillTest, ASnapshotLoadedUnderASmallerBudgetSpillsBackUnderIt) {
  std::vector<std::string> records = Traffic();
  KpiStore big;
  ApplyAll(big, records, 0, records.size());
  std::string blob = big.Serialize({});
  KpiStore small(Tiny());
  StreamPositions pos;
  ASSERT_TRUE(small.Deserialize(blob, &pos).ok());
  EXPECT_GT(small.messages().memory_bytes(), kTinyBudget) << "loaded whole, nothing forgotten";
  ASSERT_TRUE(small.AttachSpill(root_ + "/spill").ok());
  KpiEventDecoder d;
  // Each insert over the budget moves a quarter to disk: a few get it under.
  for (int i = 0; i < 20; ++i) {
    testing::ApplyRecord(small, d, Record("processed", "new-" + std::to_string(i), kT0));
  }
  ASSERT_TRUE(small.status().ok());
  EXPECT_LE(small.messages().memory_bytes(), kTinyBudget);
  EXPECT_EQ(small.messages().size() + small.messages().spilled(), big.messages().size() + 20);
  // And nothing was lost: the old traffic again changes no once-per-message count.
  std::vector<std::string> once;
  for (const std::string& r : records) {
    if (r.find(R"("event":"delivered")") != std::string::npos) once.push_back(r);
  }
  ApplyAll(small, once, 0, once.size());
  for (const char* c : {"ss0", "ss1", "ss2"}) {
    EXPECT_EQ(small.Find(c)->total[Kpi::kDelivered], big.Find(c)->total[Kpi::kDelivered]) << c;
  }
}

TEST_F(SpillTest, AMissingCheckpointIsCorruption) {
  KpiStore first(Tiny());
  ASSERT_TRUE(first.AttachSpill(root_ + "/spill").ok());
  ASSERT_TRUE(first.CheckpointSpill().ok());
  std::string blob = first.Serialize({});
  std::filesystem::remove_all(root_ + "/spill/ckpt-1");
  KpiStore second(Tiny());
  StreamPositions pos;
  ASSERT_TRUE(second.Deserialize(blob, &pos).ok());
  EXPECT_EQ(second.AttachSpill(root_ + "/spill").kind(), ErrorKind::kCorruption);
}

}  // namespace
}  // namespace mailpulse
