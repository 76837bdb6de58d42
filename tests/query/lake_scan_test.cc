// The lake scan over a local ObjectStore: decoding by extension, listing
// across pages, partition pruning (fields and time), early stop at LIMIT,
// and errors naming the object.
#include "query/lake_scan.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../storage/storage_test_util.h"
#include "delivery/encoder.h"
#include "query/output.h"
#include "query/parser.h"
#include "storage/local/local_object_store.h"

namespace mailpulse::query {
namespace {

constexpr int64_t kHour = 3'600'000;
// 2025-12-03T00:00Z in ms.
constexpr int64_t kDec3 = 1'764'720'000'000;

std::string Encode(const char* encoding, const std::vector<std::string>& lines) {
  auto enc = (*FindEncoding(encoding))->make(0);
  for (const std::string& l : lines) enc->AddLine(l);
  return *enc->Finish();
}

std::string Event(const char* event, const char* campaign, int n) {
  return fmt::format(R"({{"event":"{}","marketing_campaign_id":"{}","n":{}}})", event, campaign, n);
}

class QueryLakeScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = LocalObjectStore::Open(dir_.path());
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    const std::string p = "events/event_type=";
    Put(p + "open/campaign=c1/dt=2025-12-03/hour=19/a.json.gz",
        Encode("jsonl.gz", {Event("open", "c1", 1), Event("open", "c1", 2)}));
    Put(p + "open/campaign=c2/dt=2025-12-03/hour=20/b.json.zst",
        Encode("jsonl.zst", {Event("open", "c2", 3)}));
    Put(p + "click/campaign=c1/dt=2025-12-03/hour=20/c.json",
        Encode("jsonl", {Event("click", "c1", 4), Event("click", "c1", 5)}));
    Put(p + "click/campaign=c2/dt=2025-12-04/hour=01/d.json.gz",
        Encode("jsonl.gz", {Event("click", "c2", 6)}));
    Put("events/README.txt", "not data");
  }

  void Put(const std::string& key, const std::string& data) {
    ASSERT_TRUE(store_->Put(key, data).ok()) << key;
  }

  // Runs `sql` over the lake; the JSON lines, or "ERROR: ...".
  std::string Run(const std::string& sql, LakeScanOptions options = {},
                  std::optional<int64_t> since = {}, std::optional<int64_t> until = {}) {
    Result<SelectStatement> st = ParseQuery(sql);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    std::string out;
    OutputWriter writer(OutputFormat::kJson, [&](std::string_view s) { out.append(s); });
    auto ex = QueryExecutor::Create(&*st, QueryOptions(), &writer);
    EXPECT_TRUE(ex.ok());
    PartitionPruner pruner = PartitionPruner::FromQuery(*st);
    pruner.SetTimeRange(since, until);
    Result<ScanStats> stats = ScanLake(*store_, options, pruner, **ex);
    if (!stats.ok()) return "ERROR: " + stats.status().message();
    stats_ = *stats;
    EXPECT_TRUE((*ex)->Finish().ok());
    writer.Finish();
    return out;
  }

  testing::ScratchDir dir_;
  std::unique_ptr<LocalObjectStore> store_;
  ScanStats stats_;
};

TEST_F(QueryLakeScanTest, ReadsEveryEncodingInKeyOrder) {
  EXPECT_EQ(Run("SELECT s.n FROM S3Object s"),
            "{\"n\":4}\n{\"n\":5}\n{\"n\":6}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  EXPECT_EQ(stats_.objects_listed, 5);
  EXPECT_EQ(stats_.objects_skipped, 1);
  EXPECT_EQ(stats_.objects_pruned, 0);
  EXPECT_EQ(stats_.objects_scanned, 4);
  EXPECT_GT(stats_.bytes_processed, 0);
}

TEST_F(QueryLakeScanTest, PagesAndThreadsDoNotChangeTheResult) {
  std::string expected = Run("SELECT SUM(s.n) AS total, COUNT(*) AS n FROM S3Object s");
  EXPECT_EQ(expected, "{\"total\":21,\"n\":6}\n");
  for (int page : {1, 2, 3}) {
    for (int threads : {1, 2, 3}) {
      LakeScanOptions o;
      o.list_page_size = page;
      o.threads = threads;
      EXPECT_EQ(Run("SELECT SUM(s.n) AS total, COUNT(*) AS n FROM S3Object s", o), expected);
    }
  }
}

// Objects larger than range_bytes are read as ranged GETs (4 at a time) and
// reassembled: the same rows and the same bytes scanned, down to 1-byte ranges.
TEST_F(QueryLakeScanTest, RangedGetsReassembleObjects) {
  const std::string sql = "SELECT s.n, s.event FROM S3Object s";
  const std::string expected = Run(sql);
  const int64_t bytes = stats_.bytes_scanned;
  for (uint64_t range : {1u, 7u, 64u, 1u << 20}) {
    LakeScanOptions o;
    o.range_bytes = range;
    EXPECT_EQ(Run(sql, o), expected) << range;
    EXPECT_EQ(stats_.bytes_scanned, bytes) << range;
  }
}

TEST_F(QueryLakeScanTest, PrunesByEventAndCampaignFolders) {
  EXPECT_EQ(Run("SELECT s.n FROM S3Object s WHERE s.event = 'open' AND s.n > 1"),
            "{\"n\":2}\n{\"n\":3}\n");
  EXPECT_EQ(stats_.objects_pruned, 2);
  EXPECT_EQ(stats_.objects_scanned, 2);
  EXPECT_EQ(Run("SELECT s.n FROM S3Object s WHERE 'c2' = marketing_campaign_id AND "
                "s.event IN ('click', 'bounce')"),
            "{\"n\":6}\n");
  EXPECT_EQ(stats_.objects_pruned, 3);
  // OR is not a conjunct: nothing pruned, same answer as a full scan.
  EXPECT_EQ(Run("SELECT COUNT(*) AS n FROM S3Object s WHERE s.event = 'open' OR s.n = 4"),
            "{\"n\":4}\n");
  EXPECT_EQ(stats_.objects_pruned, 0);
}

TEST_F(QueryLakeScanTest, PrunesByTimeFolders) {
  // [2025-12-03T20:00Z, 2025-12-04T00:00Z): the hour=20 objects only.
  EXPECT_EQ(Run("SELECT s.n FROM S3Object s", {}, kDec3 + 20 * kHour, kDec3 + 24 * kHour),
            "{\"n\":4}\n{\"n\":5}\n{\"n\":3}\n");
  EXPECT_EQ(stats_.objects_pruned, 2);
  // A window inside hour 19 keeps that hour's object.
  EXPECT_EQ(Run("SELECT s.n FROM S3Object s", {}, kDec3 + 19 * kHour + 1, kDec3 + 19 * kHour + 2),
            "{\"n\":1}\n{\"n\":2}\n");
}

TEST_F(QueryLakeScanTest, LimitStopsTheScan) {
  LakeScanOptions o;
  o.threads = 1;
  EXPECT_EQ(Run("SELECT s.n FROM S3Object s LIMIT 1", o), "{\"n\":4}\n");
  EXPECT_EQ(stats_.objects_scanned, 1);
}

TEST_F(QueryLakeScanTest, PrefixAndCsv) {
  Put("csv/x.csv", "a,b\n1,2\n3,4\n");
  LakeScanOptions o;
  o.prefix = "csv/";
  EXPECT_EQ(Run("SELECT s.b FROM S3Object s", o), "{\"b\":\"2\"}\n{\"b\":\"4\"}\n");
}

TEST_F(QueryLakeScanTest, CorruptObjectIsNamed) {
  Put("bad/x.json.gz", "not gzip");
  Put("bad/y.json", "{\"a\":1}\n{oops\n");
  LakeScanOptions o;
  o.prefix = "bad/y";
  // The message after "(" is simdjson's and varies between its versions.
  EXPECT_EQ(Run("SELECT * FROM S3Object", o).rfind("ERROR: bad/y.json: line 2: invalid JSON (", 0),
            0u);
  o.prefix = "bad/x";
  EXPECT_EQ(Run("SELECT * FROM S3Object", o).rfind("ERROR: bad/x.json.gz: ", 0), 0u);
}

TEST(QueryPartitionPrunerTest, KeyPartitions) {
  auto parts = KeyPartitions("events/event_type=open/campaign=1/dt=2025-12-03/hour=19/x=y.json");
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].first, "event_type");
  EXPECT_EQ(parts[0].second, "open");
  EXPECT_EQ(parts[3].first, "hour");
  EXPECT_EQ(parts[3].second, "19");
}

TEST(QueryPartitionPrunerTest, WhichConjunctsPrune) {
  auto pruner = [](const std::string& where) {
    Result<SelectStatement> st = ParseQuery("SELECT * FROM S3Object s WHERE " + where);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    return PartitionPruner::FromQuery(*st).Describe();
  };
  EXPECT_EQ(pruner("s.event = 'Open'"), "event_type in {open}");
  EXPECT_EQ(pruner("event IN ('a b', 'c') AND s.x = 1"), "event_type in {a%20b, c}");
  EXPECT_EQ(pruner("s.event = 'open' AND s.event IN ('open', 'click')"), "event_type in {open}");
  EXPECT_EQ(pruner("s.marketing_campaign_id = 'X'"), "campaign in {X}");
  EXPECT_EQ(pruner("s.event = 'open' OR s.event = 'click'"), "");
  EXPECT_EQ(pruner("s.event <> 'open'"), "");
  EXPECT_EQ(pruner("s.event NOT IN ('open')"), "");
  EXPECT_EQ(pruner("s.event = ''"), "");
  EXPECT_EQ(pruner("s.\"Event\" = 'open'"), "");
  EXPECT_EQ(pruner("s.raw.event = 'open'"), "");
  EXPECT_EQ(pruner("s.marketing_campaign_id = 7"), "");
  Result<SelectStatement> path = ParseQuery("SELECT * FROM S3Object[*].x s WHERE s.event = 'open'");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(PartitionPruner::FromQuery(*path).Describe(), "");
}

TEST(QueryPartitionPrunerTest, KeysWithoutTheFolderAreKept) {
  Result<SelectStatement> st = ParseQuery("SELECT * FROM S3Object s WHERE s.event = 'open'");
  ASSERT_TRUE(st.ok());
  PartitionPruner p = PartitionPruner::FromQuery(*st);
  p.SetTimeRange(kDec3, kDec3 + kHour);
  EXPECT_TRUE(p.MayMatch("events/event_type=open/dt=2025-12-03/hour=00/a.json"));
  EXPECT_FALSE(p.MayMatch("events/event_type=click/dt=2025-12-03/hour=00/a.json"));
  EXPECT_FALSE(p.MayMatch("events/event_type=open/dt=2025-12-03/hour=01/a.json"));
  EXPECT_TRUE(p.MayMatch("events/event_type=open/dt=2025-12-03/a.json"));  // the whole day
  EXPECT_FALSE(p.MayMatch("events/event_type=open/dt=2025-12-02/a.json"));
  EXPECT_TRUE(p.MayMatch("other/a.json"));
  EXPECT_TRUE(p.MayMatch("events/event_type=open/dt=garbage/hour=01/a.json"));
}

TEST(QueryFormatForKeyTest, Extensions) {
  EXPECT_EQ(FormatForKey("a/b.json")->decode, nullptr);
  EXPECT_EQ(FormatForKey("a/b.json.gz")->decode, (*FindEncoding("jsonl.gz"))->decode);
  EXPECT_EQ(FormatForKey("a/b.json.zst")->decode, (*FindEncoding("jsonl.zst"))->decode);
  EXPECT_EQ(FormatForKey("a/b.csv.gz")->format, InputFormat::kCsv);
  EXPECT_EQ(FormatForKey("a/b.ndjson")->format, InputFormat::kJson);
  EXPECT_FALSE(FormatForKey("a/b.txt").has_value());
  EXPECT_FALSE(FormatForKey("a/b.gz").has_value());
}

}  // namespace
}  // namespace mailpulse::query
