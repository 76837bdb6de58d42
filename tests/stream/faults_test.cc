// I/O faults during appends: failed fsync, ENOSPC, torn writes, power loss.
// The invariant in every case: an append is acknowledged ok only if its
// records survive a reopen, and nothing unacknowledged is ever readable.
#include <gtest/gtest.h>

#include <cerrno>

#include "stream_test_util.h"

namespace mailpulse::testing {
namespace {

class StreamFaultTest : public StreamTestBase {};

TEST_F(StreamFaultTest, FailedSyncFailsTheAppendWithRetryAndReusesSequence) {
  Open();
  ASSERT_EQ(AppendAndWait(*stream_, 0, {"a"}).last, 1u);
  fs_.FailNextSyncs(1);
  AppendResult failed = AppendAndWait(*stream_, 0, {"lost1", "lost2"});
  EXPECT_EQ(failed.status.kind(), ErrorKind::kRetry);
  EXPECT_EQ(failed.first, 0u);
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a"}));
  AppendResult next = AppendAndWait(*stream_, 0, {"b"});
  ASSERT_TRUE(next.status.ok());
  EXPECT_EQ(next.first, 2u);  // the failed append's numbers were never visible
  Open();
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a", "b"}));
}

TEST_F(StreamFaultTest, FailedSyncFailsEveryAppendOfTheRound) {
  Open();
  fs_.FailNextSyncs(1);
  constexpr int kAppends = 20;
  std::vector<std::promise<AppendResult>> done(kAppends);
  for (int i = 0; i < kAppends; ++i) {
    std::vector<AppendRecord> recs{AppendRecord{"k", i % 2 ? "odd" : "even", 1}};
    stream_->Append(ShardId(0), std::move(recs),
                    [&, i](const Status& s, SequenceNumber f, SequenceNumber l) {
                      done[static_cast<size_t>(i)].set_value(AppendResult{s, f.u64(), l.u64()});
                    });
  }
  std::vector<uint64_t> acked;
  int failed = 0;
  for (auto& d : done) {
    AppendResult r = d.get_future().get();
    if (r.status.ok()) {
      acked.push_back(r.first);
    } else {
      EXPECT_EQ(r.status.kind(), ErrorKind::kRetry);
      ++failed;
    }
  }
  EXPECT_GE(failed, 1);
  std::sort(acked.begin(), acked.end());
  for (size_t i = 0; i < acked.size(); ++i) EXPECT_EQ(acked[i], i + 1);  // contiguous from 1
  Open();
  EXPECT_EQ(Seqs(ReadShard(0)), acked);
}

TEST_F(StreamFaultTest, NoSpaceFailsWithRetryAndLogStaysConsistent) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"a"}).status.ok());
  fs_.FailNextAppends(1, ENOSPC);
  AppendResult r = AppendAndWait(*stream_, 0, {"b"});
  EXPECT_EQ(r.status.kind(), ErrorKind::kRetry);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"c"}).first, 2u);
  Open();
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a", "c"}));
}

TEST_F(StreamFaultTest, TornWriteIsRolledBack) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"a"}).status.ok());
  uint64_t durable = stream_->Describe()[0].bytes;
  fs_.TearNextAppend(17);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"torn"}).status.kind(), ErrorKind::kRetry);
  EXPECT_EQ(std::filesystem::file_size(SegmentFiles()[0]), durable);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"b"}).first, 2u);
  Open();
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a", "b"}));
}

TEST_F(StreamFaultTest, FailedRollbackStopsTheShardUntilReopen) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"a"}).status.ok());
  fs_.TearNextAppend(30);
  fs_.FailTruncates(true);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"torn"}).status.kind(), ErrorKind::kRetry);
  fs_.ClearFaults();
  AppendResult later = AppendAndWait(*stream_, 0, {"refused"});
  EXPECT_EQ(later.status.kind(), ErrorKind::kRetry);
  EXPECT_NE(later.status.message().find("stopped"), std::string::npos);
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a"}));
  Open();  // recovery cuts the torn bytes
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"b"}).first, 2u);
}

TEST_F(StreamFaultTest, ReadersNeverSeeUnsyncedBytes) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"a"}).status.ok());
  fs_.FailNextSyncs(1);
  fs_.FailTruncates(true);  // the unsynced batch stays in the file
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"unsynced"}).status.kind(), ErrorKind::kRetry);
  EXPECT_GT(std::filesystem::file_size(SegmentFiles()[0]), stream_->Describe()[0].bytes);
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a"}));
}

TEST_F(StreamFaultTest, PowerLossKeepsExactlyTheAcknowledgedRecords) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"a", "b"}).status.ok());
  fs_.FailNextSyncs(1);
  fs_.FailTruncates(true);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"never-acked"}).status.kind(), ErrorKind::kRetry);
  stream_->Close();
  fs_.ClearFaults();
  ASSERT_TRUE(fs_.DropUnsyncedData().ok());
  Open();
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"c"}).first, 3u);
}

TEST_F(StreamFaultTest, PowerLossWithUnsyncedBytesThatSurvivedIsRecovered) {
  // The opposite outcome of a power loss: the unsynced (unacknowledged)
  // batch did reach the disk whole. It is a valid batch, so it is kept; it
  // was never acknowledged, so SendGrid retries it and dedupe drops the copy.
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"a"}).status.ok());
  fs_.FailNextSyncs(1);
  fs_.FailTruncates(true);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"maybe"}).status.kind(), ErrorKind::kRetry);
  stream_->Close();
  fs_.ClearFaults();
  Open();
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a", "maybe"}));
}

TEST_F(StreamFaultTest, DiskBudgetFailsWithRetryNamingTheBudget) {
  options_.compression_level = 0;
  options_.disk_budget_bytes = 3000;
  Open();
  int ok = 0;
  AppendResult r;
  for (int i = 0; i < 10; ++i) {
    r = AppendAndWait(*stream_, 0, {std::string(1000, 'x')});
    if (!r.status.ok()) break;
    ++ok;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(r.status.kind(), ErrorKind::kRetry);
  EXPECT_NE(r.status.message().find("disk budget of 3000 bytes"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(ReadShard(0).size(), 3u);
}

}  // namespace
}  // namespace mailpulse::testing
