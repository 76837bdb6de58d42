// Retention: whole sealed segments go by age or by the per-shard byte cap,
// never the active one; readers inside a deleted segment continue from the
// oldest remaining record.
#include <gtest/gtest.h>

#include "stream_test_util.h"

namespace mailpulse::testing {
namespace {

class StreamRetentionTest : public StreamTestBase {
 protected:
  void SetUp() override {
    StreamTestBase::SetUp();
    options_.segment_bytes = 1;  // every append seals its own segment
  }
  // Appends n single-record segments with the given arrival time.
  void Fill(int n, UnixMillis arrival) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(AppendAndWait(*stream_, 0, {"p" + std::to_string(i)}, arrival).status.ok());
  }
  const UnixMillis t0_ = 1'700'000'000'000;
};

TEST_F(StreamRetentionTest, NothingExpiresBeforeRetention) {
  options_.retention_seconds = 3600;
  Open();
  Fill(3, t0_);
  clock_.Set(t0_ + 3599'000);
  stream_->RunRetention();
  EXPECT_EQ(ReadShard(0).size(), 3u);
}

TEST_F(StreamRetentionTest, ExpiredSegmentsAreDeletedButNotTheActiveOne) {
  options_.retention_seconds = 3600;
  Open();
  Fill(3, t0_);
  Fill(2, t0_ + 1800'000);
  clock_.Set(t0_ + 3600'001);
  stream_->RunRetention();
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{4, 5}));
  auto info = stream_->Describe()[0];
  EXPECT_EQ(info.first_seq.u64(), 4u);
  EXPECT_EQ(info.segments, 2u);  // record 4's sealed segment + the active one holding 5
  clock_.Set(t0_ + 100 * 3600'000);
  stream_->RunRetention();
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{5}));  // the active segment stays
  EXPECT_EQ(stream_->Describe()[0].segments, 1u);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"new"}).first, 6u);  // sequence continues
}

TEST_F(StreamRetentionTest, ActiveSegmentIsNeverDeleted) {
  options_.retention_seconds = 1;
  options_.segment_bytes = 1 << 20;
  Open();
  Fill(3, t0_);
  clock_.Set(t0_ + 10 * 3600'000);
  stream_->RunRetention();
  EXPECT_EQ(ReadShard(0).size(), 3u);
}

TEST_F(StreamRetentionTest, SequenceSurvivesReopenAfterRetention) {
  options_.retention_seconds = 60;
  Open();
  Fill(4, t0_);
  clock_.Set(t0_ + 3600'000);
  stream_->RunRetention();
  Open();
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).first, 5u);
}

TEST_F(StreamRetentionTest, ReaderInDeletedSegmentContinuesFromOldest) {
  options_.retention_seconds = 3600;
  Open();
  Fill(3, t0_);
  Fill(3, t0_ + 3000'000);
  auto reader = stream_->OpenReader(ShardId(0), StartPosition::TrimHorizon());
  ASSERT_TRUE(reader.ok());
  auto first = (*reader)->Read(1, 1 << 20);
  ASSERT_EQ(Seqs(*first), (std::vector<uint64_t>{1}));
  clock_.Set(t0_ + 3600'001);
  stream_->RunRetention();  // deletes segments of 1..3 while the reader sits in the first
  EXPECT_EQ(Seqs(ReadAll(**reader)), (std::vector<uint64_t>{4, 5, 6}));
}

TEST_F(StreamRetentionTest, AtSequenceBeforeTrimHorizonStartsAtOldest) {
  options_.retention_seconds = 3600;
  Open();
  Fill(3, t0_);
  Fill(2, t0_ + 3000'000);
  clock_.Set(t0_ + 3600'001);
  stream_->RunRetention();
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::At(SequenceNumber(2)))),
            (std::vector<uint64_t>{4, 5}));
}

TEST_F(StreamRetentionTest, RetentionBytesDropsOldestFirst) {
  options_.compression_level = 0;
  Open();
  Fill(6, t0_);
  uint64_t seg = stream_->Describe()[0].bytes / 6;  // each sealed segment is one batch
  stream_.reset();
  options_.retention_bytes_per_shard = seg * 2;
  Open();
  stream_->RunRetention();
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{5, 6}));
  EXPECT_EQ(stream_->Describe()[0].bytes, seg * 2);
}

TEST_F(StreamRetentionTest, RetentionFreesDiskBudget) {
  options_.compression_level = 0;
  options_.retention_seconds = 60;
  options_.disk_budget_bytes = 500;
  Open();
  AppendResult r;
  int ok = 0;
  for (int i = 0; i < 20; ++i) {
    r = AppendAndWait(*stream_, 0, {std::string(100, 'x')}, t0_);
    if (!r.status.ok()) break;
    ++ok;
  }
  ASSERT_EQ(r.status.kind(), ErrorKind::kRetry);
  clock_.Set(t0_ + 61'000);
  stream_->RunRetention();
  EXPECT_TRUE(AppendAndWait(*stream_, 0, {"after"}, t0_ + 61'000).status.ok());
  EXPECT_GT(ok, 1);
}

TEST_F(StreamRetentionTest, RollRunsRetentionByItself) {
  options_.retention_seconds = 60;
  Open();
  Fill(3, t0_);
  clock_.Set(t0_ + 120'000);
  Fill(2, t0_ + 120'000);  // the rolls these cause apply retention
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{4, 5}));
}

}  // namespace
}  // namespace mailpulse::testing
