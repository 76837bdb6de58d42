// Consumer-side dedupe over a real embedded log: what a remote stream looks
// like when two ingest nodes both stored a retried event.
#include "ingest/dedupe_stream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "../delivery/delivery_test_util.h"
#include "stream/local/local_stream.h"

namespace mailpulse {
namespace {

constexpr UnixMillis kT0 = 1'700'000'000'000;
constexpr int64_t kWindow = 3'600'000;

class DedupeStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "mp-dedupe-stream-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    LocalStreamOptions o;
    o.dir = root_;
    o.shards = 1;
    o.retention_seconds = 0;
    auto s = LocalStream::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    stream_ = std::move(*s);
  }
  void TearDown() override {
    stream_.reset();
    std::filesystem::remove_all(root_);
  }
  // Appends event `id` (its sg_event_id) as received at `at`.
  void Add(const std::string& id, UnixMillis at) {
    std::string payload = testing::EventPayload("open", id, "c1", at / 1000, at);
    std::string key = "m-" + id;  // both alive until the append is done
    std::promise<Status> done;
    stream_->Append(ShardId(0), {AppendRecord{key, payload, at}},
                    [&](const Status& st, SequenceNumber, SequenceNumber) { done.set_value(st); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  std::vector<uint64_t> ReadAll(DedupingStream& d, StartPosition from) {
    auto r = d.OpenReader(ShardId(0), from);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<uint64_t> seqs;
    for (;;) {
      auto batch = (*r)->Read(3, 1 << 20);  // small reads: duplicates span batches
      EXPECT_TRUE(batch.ok());
      if (!batch.ok() || batch->empty()) break;
      for (const StreamRecord& rec : *batch) seqs.push_back(rec.seq.u64());
    }
    return seqs;
  }

  std::string root_;
  std::unique_ptr<LocalStream> stream_;
};

TEST_F(DedupeStreamTest, DropsLaterCopiesWithinTheWindowByArrivalTime) {
  Add("a", kT0);                // 1
  Add("b", kT0 + 1'000);        // 2
  Add("a", kT0 + 2'000);        // 3: duplicate of 1
  Add("c", kT0 + 3'000);        // 4
  Add("b", kT0 + 4'000);        // 5: duplicate of 2
  Add("a", kT0 + kWindow + 1);  // 6: more than the window after 1 -> kept
  Add("d", kT0 + kWindow + 2);  // 7
  DedupingStream d(stream_.get(), DedupeOptions{.window_ms = kWindow}, nullptr);
  EXPECT_EQ(ReadAll(d, StartPosition::TrimHorizon()), (std::vector<uint64_t>{1, 2, 4, 6, 7}));
  EXPECT_EQ(d.dropped(), 2u);
}

TEST_F(DedupeStreamTest, AReaderOpenedAfterACheckpointDecidesAsBefore) {
  Add("a", kT0);          // 1
  Add("b", kT0 + 1'000);  // 2
  Add("c", kT0 + 2'000);  // 3   <- checkpoint
  Add("a", kT0 + 3'000);  // 4: duplicate of 1, which is before the checkpoint
  Add("e", kT0 + 4'000);  // 5
  Add("b", kT0 + 5'000);  // 6: duplicate of 2
  DedupingStream d(stream_.get(), DedupeOptions{.window_ms = kWindow}, nullptr);
  EXPECT_EQ(ReadAll(d, StartPosition::After(SequenceNumber(3))), (std::vector<uint64_t>{5}));
  EXPECT_EQ(ReadAll(d, StartPosition::At(SequenceNumber(4))), (std::vector<uint64_t>{5}));
  // The plain stream still holds every copy.
  auto plain = stream_->OpenReader(ShardId(0), StartPosition::After(SequenceNumber(3)));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->Read(100, 1 << 20)->size(), 3u);
}

TEST_F(DedupeStreamTest, UnparseableRecordsPassThrough) {
  std::promise<Status> done;
  std::string junk = "not json";
  stream_->Append(ShardId(0), {AppendRecord{"k", junk, kT0}, AppendRecord{"k", junk, kT0}},
                  [&](const Status& st, SequenceNumber, SequenceNumber) { done.set_value(st); });
  ASSERT_TRUE(done.get_future().get().ok());
  DedupingStream d(stream_.get(), DedupeOptions{.window_ms = kWindow}, nullptr);
  EXPECT_EQ(ReadAll(d, StartPosition::TrimHorizon()), (std::vector<uint64_t>{1, 2}));
}

}  // namespace
}  // namespace mailpulse
