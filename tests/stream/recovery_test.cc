// Crash recovery of the embedded stream, in the style of leveldb's
// log_test: each case damages the files the way a crash or a bad disk would
// and checks exactly which records survive and where sequencing resumes.
#include <gtest/gtest.h>

#include <fstream>

#include "stream/local/log_format.h"
#include "stream_test_util.h"

namespace mailpulse::testing {
namespace {

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class StreamRecoveryTest : public StreamTestBase {
 protected:
  // Writes batch A (3 records) and batch B (2 records) to one segment and
  // remembers the file bytes and where B starts.
  void WriteTwoBatches() {
    Open();
    ASSERT_EQ(AppendAndWait(*stream_, 0, {"a1", "a2", "a3"}, 100).last, 3u);
    a_end_ = stream_->Describe()[0].bytes;
    ASSERT_EQ(AppendAndWait(*stream_, 0, {"b1-longer-payload", "b2"}, 200).last, 5u);
    stream_.reset();
    segment_ = SegmentFiles().at(0);
    bytes_ = ReadBytes(segment_);
  }
  // Reopen and expect exactly batch A, the file cut back to it, and the
  // next append to get sequence 4.
  void ExpectOnlyBatchA(const std::string& context) {
    Open();
    EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a1", "a2", "a3"})) << context;
    EXPECT_EQ(std::filesystem::file_size(segment_), a_end_) << context;
    EXPECT_EQ(AppendAndWait(*stream_, 0, {"next"}).first, 4u) << context;
    stream_.reset();
  }

  uint64_t a_end_ = 0;
  std::string segment_;
  std::string bytes_;
};

TEST_F(StreamRecoveryTest, CleanReopenKeepsEverything) {
  WriteTwoBatches();
  Open();
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

TEST_F(StreamRecoveryTest, TornBatchHeader) {
  WriteTwoBatches();
  WriteBytes(segment_, bytes_.substr(0, a_end_ + 20));
  ExpectOnlyBatchA("torn header");
}

TEST_F(StreamRecoveryTest, TornAtEveryByteOfLastBatch) {
  WriteTwoBatches();
  for (size_t cut = a_end_; cut < bytes_.size(); ++cut) {
    WriteBytes(segment_, bytes_.substr(0, cut));
    ExpectOnlyBatchA("cut at " + std::to_string(cut));
  }
}

TEST_F(StreamRecoveryTest, BadCrcInLastBatch) {
  WriteTwoBatches();
  std::string damaged = bytes_;
  damaged[damaged.size() - 1] ^= 0x40;
  WriteBytes(segment_, damaged);
  ExpectOnlyBatchA("flipped body byte");
}

TEST_F(StreamRecoveryTest, BadCrcFieldInLastBatch) {
  WriteTwoBatches();
  std::string damaged = bytes_;
  damaged[a_end_ + 4] ^= 0x01;
  WriteBytes(segment_, damaged);
  ExpectOnlyBatchA("flipped crc byte");
}

TEST_F(StreamRecoveryTest, EveryFlippedHeaderByteOfLastBatch) {
  WriteTwoBatches();
  for (size_t i = a_end_; i < a_end_ + log_format::kBatchHeaderSize; ++i) {
    std::string damaged = bytes_;
    damaged[i] ^= 0x10;
    WriteBytes(segment_, damaged);
    ExpectOnlyBatchA("flipped header byte " + std::to_string(i - a_end_));
  }
}

TEST_F(StreamRecoveryTest, ZeroFilledTail) {
  WriteTwoBatches();
  WriteBytes(segment_, bytes_ + std::string(4096, '\0'));
  Open();
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(std::filesystem::file_size(segment_), bytes_.size());
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).first, 6u);
}

TEST_F(StreamRecoveryTest, ZeroFilledLastBatch) {
  // A file system that extended the file but never wrote the data.
  WriteTwoBatches();
  WriteBytes(segment_, bytes_.substr(0, a_end_) + std::string(bytes_.size() - a_end_, '\0'));
  ExpectOnlyBatchA("zeroed last batch");
}

TEST_F(StreamRecoveryTest, GarbageAfterLastBatch) {
  WriteTwoBatches();
  WriteBytes(segment_, bytes_ + "this is not a batch header, it is garbage text....");
  Open();
  EXPECT_EQ(ReadShard(0).size(), 5u);
  EXPECT_EQ(std::filesystem::file_size(segment_), bytes_.size());
}

TEST_F(StreamRecoveryTest, WholeSegmentTornToNothing) {
  WriteTwoBatches();
  WriteBytes(segment_, bytes_.substr(0, 10));
  Open();
  EXPECT_TRUE(ReadShard(0).empty());
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).first, 1u);
}

TEST_F(StreamRecoveryTest, EmptySegmentFileAtStart) {
  Open();
  stream_.reset();
  EXPECT_EQ(std::filesystem::file_size(SegmentFiles().at(0)), 0u);
  Open();
  EXPECT_TRUE(ReadShard(0).empty());
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).first, 1u);
}

TEST_F(StreamRecoveryTest, EmptyNewestSegmentAfterRoll) {
  // A crash right after a roll created the next segment.
  WriteTwoBatches();
  WriteBytes(ShardDir() + "/00000000000000000006.seg", "");
  Open();
  EXPECT_EQ(ReadShard(0).size(), 5u);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).first, 6u);
  EXPECT_EQ(ReadShard(0).size(), 6u);
  EXPECT_EQ(stream_->Describe()[0].segments, 2u);
}

TEST_F(StreamRecoveryTest, MisnamedEmptyNewestSegmentIsReplaced) {
  WriteTwoBatches();
  WriteBytes(ShardDir() + "/00000000000000000099.seg", "");
  Open();
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).first, 6u);
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(StreamRecoveryTest, UnrelatedFilesInShardDirAreIgnored) {
  WriteTwoBatches();
  WriteBytes(ShardDir() + "/notes.txt", "hello");
  Open();
  EXPECT_EQ(ReadShard(0).size(), 5u);
}

TEST_F(StreamRecoveryTest, CorruptBodyInSealedSegmentIsReportedNotSkipped) {
  options_.segment_bytes = 1;  // one append per segment
  Open();
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(AppendAndWait(*stream_, 0, {"rec" + std::to_string(i)}).status.ok());
  stream_.reset();
  auto files = SegmentFiles();
  ASSERT_EQ(files.size(), 4u);  // one record each; the 4th is the active segment
  std::string second = ReadBytes(files[1]);
  second.back() ^= 0x7f;
  WriteBytes(files[1], second);
  Open();
  Status error;
  auto recs = ReadShard(0, StartPosition::TrimHorizon(), &error);
  EXPECT_EQ(Seqs(recs), (std::vector<uint64_t>{1}));
  EXPECT_EQ(error.kind(), ErrorKind::kCorruption) << error.ToString();
  // Positioning past the damage still works.
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::At(SequenceNumber(3)))),
            (std::vector<uint64_t>{3, 4}));
  // The damaged file was not repaired behind the operator's back.
  EXPECT_EQ(ReadBytes(files[1]), second);
}

TEST_F(StreamRecoveryTest, TornTailInSealedSegmentIsReported) {
  options_.segment_bytes = 1;
  Open();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(AppendAndWait(*stream_, 0, {"rec" + std::to_string(i)}).status.ok());
  stream_.reset();
  auto files = SegmentFiles();
  std::string first = ReadBytes(files[0]);
  WriteBytes(files[0], first.substr(0, first.size() - 3));
  Open();
  Status error;
  auto recs = ReadShard(0, StartPosition::TrimHorizon(), &error);
  EXPECT_TRUE(recs.empty());
  EXPECT_EQ(error.kind(), ErrorKind::kCorruption);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).first, 4u);
}

TEST_F(StreamRecoveryTest, MissingMiddleSegmentIsReported) {
  options_.segment_bytes = 1;
  Open();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(AppendAndWait(*stream_, 0, {"rec" + std::to_string(i)}).status.ok());
  stream_.reset();
  std::filesystem::remove(SegmentFiles()[1]);
  Open();
  Status error;
  auto recs = ReadShard(0, StartPosition::TrimHorizon(), &error);
  EXPECT_EQ(Seqs(recs), (std::vector<uint64_t>{1}));
  EXPECT_EQ(error.kind(), ErrorKind::kCorruption);
}

TEST_F(StreamRecoveryTest, ReadOnlyOpenDoesNotTruncate) {
  WriteTwoBatches();
  WriteBytes(segment_, bytes_.substr(0, bytes_.size() - 1));
  options_.read_only = true;
  Open();
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(std::filesystem::file_size(segment_), bytes_.size() - 1);
}

TEST_F(StreamRecoveryTest, BadMetaFileIsCorruption) {
  Open();
  stream_.reset();
  WriteBytes(options_.dir + "/meta", "something else\n");
  EXPECT_EQ(LocalStream::Open(options_).status().kind(), ErrorKind::kCorruption);
}

}  // namespace
}  // namespace mailpulse::testing
