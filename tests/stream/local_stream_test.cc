// The embedded stream through its public interface: appends, readers from
// every start position, rolls, checkpoints, Describe, metrics.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "common/metrics.h"
#include "stream/local/segment.h"
#include "stream_test_util.h"

namespace mailpulse::testing {
namespace {

class StreamLocalTest : public StreamTestBase {};

TEST_F(StreamLocalTest, EmptyLogReadsNothing) {
  Open();
  EXPECT_TRUE(ReadShard(0).empty());
  auto info = stream_->Describe();
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].first_seq.u64(), 0u);
  EXPECT_EQ(info[0].last_seq.u64(), 0u);
  EXPECT_EQ(info[0].records, 0u);
  EXPECT_EQ(info[0].segments, 1u);
}

TEST_F(StreamLocalTest, OneRecord) {
  Open();
  AppendResult r = AppendAndWait(*stream_, 0, {"hello"}, 1234, "msg-1");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.first, 1u);
  EXPECT_EQ(r.last, 1u);
  auto recs = ReadShard(0);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].seq.u64(), 1u);
  EXPECT_EQ(recs[0].arrival_ms, 1234);
  EXPECT_EQ(recs[0].partition_key, "msg-1");
  EXPECT_EQ(recs[0].payload, "hello");
}

TEST_F(StreamLocalTest, ZeroArrivalTakesClock) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"x"}, 0).status.ok());
  EXPECT_EQ(ReadShard(0).at(0).arrival_ms, clock_.NowMillis());
}

TEST_F(StreamLocalTest, EmptyAppendIsInvalid) {
  Open();
  EXPECT_EQ(AppendAndWait(*stream_, 0, {}).status.kind(), ErrorKind::kInvalid);
}

TEST_F(StreamLocalTest, UnknownShardIsInvalid) {
  Open();
  EXPECT_EQ(AppendAndWait(*stream_, 5, {"x"}).status.kind(), ErrorKind::kInvalid);
  EXPECT_FALSE(stream_->OpenReader(ShardId(5), StartPosition::TrimHorizon()).ok());
}

TEST_F(StreamLocalTest, ConsecutiveSequenceNumbersAcrossAppends) {
  Open();
  EXPECT_EQ(AppendAndWait(*stream_, 0, Numbered("a", 3)).last, 3u);
  AppendResult r = AppendAndWait(*stream_, 0, Numbered("b", 2));
  EXPECT_EQ(r.first, 4u);
  EXPECT_EQ(r.last, 5u);
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"a0", "a1", "a2", "b0", "b1"}));
}

TEST_F(StreamLocalTest, EmptyPayloadAndKey) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {""}, 5, "").status.ok());
  auto recs = ReadShard(0);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].payload, "");
  EXPECT_EQ(recs[0].partition_key, "");
}

TEST_F(StreamLocalTest, ShardsAreIndependent) {
  options_.shards = 3;
  Open();
  EXPECT_EQ(AppendAndWait(*stream_, 2, {"x", "y"}).last, 2u);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"z"}).first, 1u);
  EXPECT_EQ(Payloads(ReadShard(2)), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(Payloads(ReadShard(0)), (std::vector<std::string>{"z"}));
  EXPECT_TRUE(ReadShard(1).empty());
}

TEST_F(StreamLocalTest, ReopenContinuesSequence) {
  Open();
  ASSERT_EQ(AppendAndWait(*stream_, 0, Numbered("a", 4)).last, 4u);
  Open();
  AppendResult r = AppendAndWait(*stream_, 0, {"after"});
  EXPECT_EQ(r.first, 5u);
  EXPECT_EQ(Seqs(ReadShard(0)), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

TEST_F(StreamLocalTest, ManyRecordsAcrossRollBoundary) {
  options_.segment_bytes = 300;
  Open();
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(AppendAndWait(*stream_, 0, {"payload-" + std::to_string(i) + std::string(40, 'x')})
                    .status.ok());
  }
  EXPECT_GT(SegmentFiles().size(), 5u);
  auto recs = ReadShard(0);
  ASSERT_EQ(recs.size(), 40u);
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ(recs[static_cast<size_t>(i)].seq.u64(), static_cast<uint64_t>(i + 1));
  // Segment names are the first sequence number each holds.
  uint64_t first = 0;
  ASSERT_TRUE(
      ParseSegmentFileName(std::filesystem::path(SegmentFiles()[1]).filename().string(), first));
  EXPECT_GT(first, 1u);
  Open();
  EXPECT_EQ(ReadShard(0).size(), 40u);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"next"}).first, 41u);
}

TEST_F(StreamLocalTest, ReaderFollowsRolls) {
  options_.segment_bytes = 200;
  Open();
  auto reader = stream_->OpenReader(ShardId(0), StartPosition::TrimHorizon());
  ASSERT_TRUE(reader.ok());
  uint64_t seen = 0;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(AppendAndWait(*stream_, 0, {std::string(100, 'a' + i % 26)}).status.ok());
    auto got = ReadAll(**reader);
    ASSERT_EQ(got.size(), 1u) << i;
    EXPECT_EQ(got[0].seq.u64(), ++seen);
  }
}

TEST_F(StreamLocalTest, LargeAppendSplitsIntoSeveralBatches) {
  options_.compression_level = 0;
  Open();
  std::vector<std::string> big;
  for (int i = 0; i < 40; ++i) big.push_back(std::string(100'000, static_cast<char>('a' + i % 26)));
  AppendResult r = AppendAndWait(*stream_, 0, big);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.last, 40u);
  auto f = fs_.OpenReadable(SegmentFiles()[0]);
  ASSERT_TRUE(f.ok());
  auto scan = ScanSegment(**f, 1, true);
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->stop.ok());
  EXPECT_EQ(scan->records, 40u);
  std::string buf;
  auto h = ReadBatchAt(**f, 0, scan->file_bytes, false, buf);
  ASSERT_TRUE(h.ok());
  EXPECT_LT(h->record_count, 40u);  // several ~1 MiB batches
  EXPECT_EQ(Payloads(ReadShard(0)), big);
}

TEST_F(StreamLocalTest, ReadIntoOneVectorGivesWhatReadGives) {
  // Payloads of varied lengths, shorter and longer than the previous call's
  // strings, across several appends (batches) and both codecs.
  for (int level : {0, 1}) {
    options_.compression_level = level;
    options_.dir = root_ + "/readinto" + std::to_string(level);
    Open();
    std::vector<std::string> payloads;
    for (int i = 0; i < 50; ++i)
      payloads.push_back(
          std::string(static_cast<size_t>((i * 37) % 300), static_cast<char>('a' + i % 26)) +
          std::to_string(i));
    for (size_t at = 0; at < payloads.size(); at += 9) {
      std::vector<std::string> part(
          payloads.begin() + static_cast<long>(at),
          payloads.begin() + static_cast<long>(std::min(at + 9, payloads.size())));
      ASSERT_TRUE(AppendAndWait(*stream_, 0, part, 1000 + static_cast<int64_t>(at),
                                "key-" + std::to_string(at))
                      .status.ok());
    }
    auto reader = stream_->OpenReader(ShardId(0), StartPosition::TrimHorizon());
    ASSERT_TRUE(reader.ok());
    std::vector<StreamRecord> buffer(20);  // stale contents must not leak through
    std::vector<StreamRecord> all;
    for (int calls = 0; calls < 100; ++calls) {
      ASSERT_TRUE((*reader)->ReadInto(&buffer, 4, 1 << 20).ok());
      if (buffer.empty()) break;
      EXPECT_LE(buffer.size(), 4u);
      for (const StreamRecord& r : buffer) all.push_back(r);
    }
    EXPECT_EQ(Payloads(all), payloads) << "level " << level;
    ASSERT_EQ(all.size(), payloads.size());
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].seq.u64(), i + 1);
      EXPECT_EQ(all[i].partition_key, "key-" + std::to_string(i / 9 * 9));
      EXPECT_EQ(all[i].arrival_ms, 1000 + static_cast<int64_t>(i / 9 * 9));
    }
    stream_->Close();
  }
}

TEST_F(StreamLocalTest, CompressionLevelsRoundTrip) {
  for (int level : {0, 1, 3, -1}) {
    options_.compression_level = level;
    options_.dir = root_ + "/level" + std::to_string(level + 5);
    Open();
    std::vector<std::string> p;
    for (int i = 0; i < 100; ++i)
      p.push_back(R"({"event":"open","sg_event_id":")" + std::to_string(i) + R"("})");
    ASSERT_TRUE(AppendAndWait(*stream_, 0, p).status.ok());
    EXPECT_EQ(Payloads(ReadShard(0)), p) << level;
  }
}

TEST_F(StreamLocalTest, CompressionShrinksRepetitiveJson) {
  options_.compression_level = 1;
  Open();
  std::vector<std::string> p(
      200,
      std::string(R"({"email":"someone@example.com","event":"delivered","category":["promo"]})"));
  ASSERT_TRUE(AppendAndWait(*stream_, 0, p).status.ok());
  EXPECT_LT(stream_->Describe()[0].bytes, 200u * p[0].size() / 4);
}

// --- start positions ---

class StreamReaderPositionTest : public StreamTestBase {
 protected:
  void SetUp() override {
    StreamTestBase::SetUp();
    options_.segment_bytes = 150;  // a few segments, so positioning crosses files
    Open();
    for (int i = 1; i <= 10; ++i) {
      ASSERT_TRUE(AppendAndWait(*stream_, 0, {"r" + std::to_string(i)}, i * 100).status.ok());
    }
  }
};

TEST_F(StreamReaderPositionTest, TrimHorizon) {
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::TrimHorizon())),
            (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST_F(StreamReaderPositionTest, LatestSeesOnlyNewRecords) {
  auto reader = stream_->OpenReader(ShardId(0), StartPosition::Latest());
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(ReadAll(**reader).empty());
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"new"}).status.ok());
  EXPECT_EQ(Seqs(ReadAll(**reader)), (std::vector<uint64_t>{11}));
}

TEST_F(StreamReaderPositionTest, AtSequence) {
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::At(SequenceNumber(7)))),
            (std::vector<uint64_t>{7, 8, 9, 10}));
}

TEST_F(StreamReaderPositionTest, AfterSequence) {
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::After(SequenceNumber(7)))),
            (std::vector<uint64_t>{8, 9, 10}));
}

TEST_F(StreamReaderPositionTest, AtFirstAndAfterLast) {
  EXPECT_EQ(ReadShard(0, StartPosition::At(SequenceNumber(1))).size(), 10u);
  EXPECT_TRUE(ReadShard(0, StartPosition::After(SequenceNumber(10))).empty());
}

TEST_F(StreamReaderPositionTest, AtBeyondEndWaitsForThatRecord) {
  auto reader = stream_->OpenReader(ShardId(0), StartPosition::At(SequenceNumber(12)));
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(ReadAll(**reader).empty());
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"11", "12", "13"}).status.ok());
  EXPECT_EQ(Seqs(ReadAll(**reader)), (std::vector<uint64_t>{12, 13}));
}

TEST_F(StreamReaderPositionTest, AtTimestampExact) {
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::AtTimestamp(500))),
            (std::vector<uint64_t>{5, 6, 7, 8, 9, 10}));
}

TEST_F(StreamReaderPositionTest, AtTimestampBetweenRecords) {
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::AtTimestamp(501))),
            (std::vector<uint64_t>{6, 7, 8, 9, 10}));
}

TEST_F(StreamReaderPositionTest, AtTimestampBeforeEverything) {
  EXPECT_EQ(ReadShard(0, StartPosition::AtTimestamp(0)).size(), 10u);
}

TEST_F(StreamReaderPositionTest, AtTimestampAfterEverythingWaits) {
  auto reader = stream_->OpenReader(ShardId(0), StartPosition::AtTimestamp(5000));
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(ReadAll(**reader).empty());
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"late"}, 6000).status.ok());
  EXPECT_EQ(Seqs(ReadAll(**reader)), (std::vector<uint64_t>{11}));
}

TEST_F(StreamLocalTest, AtTimestampInsideOneBatch) {
  Open();
  std::vector<AppendRecord> recs;
  std::vector<std::string> keep = {"a", "b", "c", "d"};
  for (int i = 0; i < 4; ++i)
    recs.push_back(AppendRecord{"k", keep[static_cast<size_t>(i)], 1000 + i * 10});
  std::promise<void> done;
  stream_->Append(ShardId(0), std::move(recs),
                  [&](const Status& s, SequenceNumber, SequenceNumber) {
                    EXPECT_TRUE(s.ok());
                    done.set_value();
                  });
  done.get_future().wait();
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::AtTimestamp(1015))), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(Seqs(ReadShard(0, StartPosition::AtTimestamp(1020))), (std::vector<uint64_t>{3, 4}));
}

TEST_F(StreamLocalTest, ReadRespectsMaxRecords) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, Numbered("x", 10)).status.ok());
  auto reader = stream_->OpenReader(ShardId(0), StartPosition::TrimHorizon());
  auto first = (*reader)->Read(4, 1 << 20);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Seqs(*first), (std::vector<uint64_t>{1, 2, 3, 4}));
  auto rest = (*reader)->Read(100, 1 << 20);
  EXPECT_EQ(Seqs(*rest), (std::vector<uint64_t>{5, 6, 7, 8, 9, 10}));
}

// --- concurrency ---

TEST_F(StreamLocalTest, EightThreadsGetUniqueContiguousSequences) {
  Open();
  constexpr int kThreads = 8, kAppends = 100, kPerAppend = 3;
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> acked;  // first seq, first payload
  std::atomic<int> callbacks{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::promise<void>> waits(kAppends);
      std::vector<std::vector<std::string>> payloads(kAppends);
      for (int a = 0; a < kAppends; ++a) {
        for (int k = 0; k < kPerAppend; ++k) {
          payloads[a].push_back("t" + std::to_string(t) + "a" + std::to_string(a) + "k" +
                                std::to_string(k));
        }
        std::vector<AppendRecord> recs;
        for (const auto& p : payloads[a]) recs.push_back(AppendRecord{"key", p, 1});
        stream_->Append(ShardId(0), std::move(recs),
                        [&, t, a](const Status& s, SequenceNumber f, SequenceNumber l) {
                          EXPECT_TRUE(s.ok());
                          EXPECT_EQ(l.u64() - f.u64() + 1, static_cast<uint64_t>(kPerAppend));
                          {
                            std::lock_guard<std::mutex> lg(mu);
                            acked.emplace_back(
                                f.u64(), "t" + std::to_string(t) + "a" + std::to_string(a) + "k0");
                          }
                          callbacks.fetch_add(1);
                          waits[static_cast<size_t>(a)].set_value();
                        });
      }
      for (auto& w : waits) w.get_future().wait();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(callbacks.load(), kThreads * kAppends);
  auto recs = ReadShard(0);
  ASSERT_EQ(recs.size(), static_cast<size_t>(kThreads * kAppends * kPerAppend));
  for (size_t i = 0; i < recs.size(); ++i) ASSERT_EQ(recs[i].seq.u64(), i + 1);
  std::set<uint64_t> firsts;
  for (const auto& [first, payload] : acked) {
    EXPECT_TRUE(firsts.insert(first).second);
    EXPECT_EQ(recs[first - 1].payload, payload);  // each append's records landed together
  }
}

// --- checkpoints, describe, metrics, meta ---

TEST_F(StreamLocalTest, CheckpointNotFoundThenSavedSurvivesReopen) {
  options_.shards = 2;
  Open();
  EXPECT_EQ(stream_->LoadCheckpoint("delivery", ShardId(1)).status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(1), SequenceNumber(42)).ok());
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(1), SequenceNumber(43)).ok());
  ASSERT_TRUE(stream_->SaveCheckpoint("analytics", ShardId(0), SequenceNumber(7)).ok());
  Open();
  EXPECT_EQ(stream_->LoadCheckpoint("delivery", ShardId(1))->u64(), 43u);
  EXPECT_EQ(stream_->LoadCheckpoint("analytics", ShardId(0))->u64(), 7u);
  EXPECT_EQ(stream_->LoadCheckpoint("delivery", ShardId(0)).status().kind(), ErrorKind::kNotFound);
}

TEST_F(StreamLocalTest, CheckpointsHoldKinesisNumbersAndShardEnd) {
  options_.shards = 2;
  Open();
  auto big =
      *SequenceNumber::FromDecimal("49546986683135544286507457936321625675700192471156785154");
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(0), big).ok());
  ASSERT_TRUE(stream_->SaveCheckpoint("delivery", ShardId(1), SequenceNumber::ShardEnd()).ok());
  Open();
  EXPECT_EQ(*stream_->LoadCheckpoint("delivery", ShardId(0)), big);
  EXPECT_TRUE(stream_->LoadCheckpoint("delivery", ShardId(1))->is_shard_end());
}

TEST_F(StreamLocalTest, CheckpointRejectsBadConsumerNames) {
  Open();
  for (const char* bad : {"", "../x", "a/b", ".hidden", "sp ace"}) {
    EXPECT_EQ(stream_->SaveCheckpoint(bad, ShardId(0), SequenceNumber(1)).kind(),
              ErrorKind::kInvalid)
        << bad;
  }
}

TEST_F(StreamLocalTest, CorruptCheckpointIsCorruption) {
  Open();
  ASSERT_TRUE(stream_->SaveCheckpoint("c", ShardId(0), SequenceNumber(99)).ok());
  std::string path = options_.dir + "/checkpoints/c/shard-0000";
  { std::ofstream(path, std::ios::trunc) << "98 00000000\n"; }
  EXPECT_EQ(stream_->LoadCheckpoint("c", ShardId(0)).status().kind(), ErrorKind::kCorruption);
}

TEST_F(StreamLocalTest, ShardCountMismatchIsAClearError) {
  options_.shards = 2;
  Open();
  stream_.reset();
  options_.shards = 3;
  auto s = LocalStream::Open(options_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().kind(), ErrorKind::kInvalid);
  EXPECT_NE(s.status().message().find("created with 2 shards but 3 were configured"),
            std::string::npos)
      << s.status().message();
}

TEST_F(StreamLocalTest, DescribeReportsRangesAndCounts) {
  options_.shards = 2;
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 1, Numbered("x", 5)).status.ok());
  auto info = stream_->Describe();
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0].starting_hash_key, "0");
  EXPECT_EQ(info[0].ending_hash_key, "170141183460469231731687303715884105727");
  EXPECT_EQ(info[1].starting_hash_key, "170141183460469231731687303715884105728");
  EXPECT_EQ(info[1].ending_hash_key, "340282366920938463463374607431768211455");
  EXPECT_EQ(info[1].first_seq.u64(), 1u);
  EXPECT_EQ(info[1].last_seq.u64(), 5u);
  EXPECT_EQ(info[1].records, 5u);
  EXPECT_EQ(info[1].segments, 1u);
  EXPECT_GT(info[1].bytes, 48u);
  EXPECT_EQ(info[0].records, 0u);
  EXPECT_EQ(stream_->disk_bytes(), info[1].bytes);
}

TEST_F(StreamLocalTest, MetricsCountRecordsAndBytes) {
  MetricsRegistry registry;
  options_.metrics = &registry;
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, Numbered("m", 3)).status.ok());
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("mailpulse_stream_records_total{stream=\"events\",shard=\"0\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mailpulse_stream_bytes_total{stream=\"events\",shard=\"0\"} " +
                      std::to_string(stream_->disk_bytes())),
            std::string::npos);
  EXPECT_NE(text.find("mailpulse_stream_disk_bytes{stream=\"events\"} " +
                      std::to_string(stream_->disk_bytes())),
            std::string::npos);
  EXPECT_NE(text.find("mailpulse_stream_fsync_seconds"), std::string::npos);
  EXPECT_NE(text.find("mailpulse_stream_append_seconds"), std::string::npos);
}

TEST_F(StreamLocalTest, AppendAfterCloseFailsWithRetry) {
  Open();
  stream_->Close();
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"x"}).status.kind(), ErrorKind::kRetry);
}

TEST_F(StreamLocalTest, CloseCompletesQueuedAppends) {
  Open();
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    std::vector<AppendRecord> recs{AppendRecord{"k", "v", 1}};
    stream_->Append(ShardId(0), std::move(recs),
                    [&](const Status& s, SequenceNumber, SequenceNumber) {
                      if (s.ok()) ok.fetch_add(1);
                    });
  }
  stream_->Close();
  EXPECT_EQ(ok.load(), 50);
}

TEST_F(StreamLocalTest, ReadOnlyOpenReadsButRefusesAppends) {
  Open();
  ASSERT_TRUE(AppendAndWait(*stream_, 0, {"a", "b"}).status.ok());
  stream_.reset();
  options_.read_only = true;
  Open();
  EXPECT_EQ(ReadShard(0).size(), 2u);
  EXPECT_EQ(AppendAndWait(*stream_, 0, {"c"}).status.kind(), ErrorKind::kRetry);
}

TEST_F(StreamLocalTest, ReadOnlyOpenOfMissingStreamIsNotFound) {
  options_.read_only = true;
  EXPECT_EQ(LocalStream::Open(options_).status().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace mailpulse::testing
