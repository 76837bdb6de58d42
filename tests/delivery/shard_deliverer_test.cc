// One shard into the lake: buffering hints, deterministic names, exactly
// once across a crash between put and checkpoint, retries with backoff while
// the store fails, and routing of undeliverable records.
#include "delivery/shard_deliverer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "../stream/stream_test_util.h"
#include "delivery/delivery_service.h"
#include "delivery_test_util.h"
#include "stream/local/local_stream.h"

namespace mailpulse::testing {
namespace {

constexpr UnixMillis kArrival = 1700000000000;  // 2023-11-14T22:13:20Z

class ShardDelivererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-delivery-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    LocalStreamOptions so;
    so.dir = root_ + "/stream";
    so.shards = 1;
    so.clock = &clock_;
    so.retention_seconds = 0;
    auto s = LocalStream::Open(so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    stream_ = std::move(*s);
    ASSERT_TRUE(PrefixTemplate::ParsePair(DeliveryOptions::kDefaultLakePrefix,
                                          DeliveryOptions::kDefaultLakeErrorPrefix, &batch_.prefix,
                                          &batch_.error_prefix)
                    .ok());
    batch_.encoding = *FindEncoding("jsonl");
    opt_.clock = &clock_;
    opt_.sleep = [this](int64_t ms) { sleeps_.push_back(ms); };
    opt_.stopping = [this] { return stopping_; };
  }
  void TearDown() override {
    stream_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::unique_ptr<ShardDeliverer> Make(Stream* s = nullptr) {
    return std::make_unique<ShardDeliverer>(opt_, &batch_, s ? s : stream_.get(), &store_,
                                            ShardId(0), &probe_);
  }
  void Append(const std::vector<std::string>& payloads) {
    ASSERT_TRUE(AppendAndWait(*stream_, 0, payloads, kArrival).status.ok());
  }
  std::vector<std::string> Events(int from, int n) {
    std::vector<std::string> v;
    for (int i = from; i < from + n; ++i) {
      v.push_back(EventPayload(i % 3 == 0 ? "click" : "open", "e" + std::to_string(i),
                               i % 2 ? "c1" : "c2"));
    }
    return v;
  }
  // Every line of every object, checked for duplicates of sg_event_id.
  std::multiset<std::string> AllEventIds(const std::map<std::string, std::string>& objects) {
    std::multiset<std::string> ids;
    for (auto& [key, data] : objects) {
      auto text = batch_.encoding->decode(data);
      EXPECT_TRUE(text.ok());
      size_t pos = 0;
      while ((pos = text->find("\"sg_event_id\":\"", pos)) != std::string::npos) {
        pos += 15;
        ids.insert(text->substr(pos, text->find('"', pos) - pos));
      }
    }
    return ids;
  }
  uint64_t Checkpoint(const std::string& name) {
    auto r = stream_->LoadCheckpoint(name, ShardId(0));
    return r.ok() ? r->u64() : 0;
  }

  std::string root_;
  ManualClock clock_{kArrival};
  std::unique_ptr<LocalStream> stream_;
  MemoryObjectStore store_;
  MetricsRegistry metrics_;
  DeliveryProbe probe_{metrics_, "events"};
  BatchOptions batch_;
  ShardDelivererOptions opt_;
  std::vector<int64_t> sleeps_;
  bool stopping_ = false;
};

TEST_F(ShardDelivererTest, IntervalCutsOnePartitionedBatch) {
  opt_.interval_ms = 60'000;
  Append({EventPayload("open", "a", "c1"), EventPayload("Open", "b", "c1"),
          EventPayload("click", "c", "c2")});
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  ASSERT_EQ(*d->Step(), 3u);
  EXPECT_TRUE(store_.Snapshot().empty());  // the interval has not passed
  clock_.Advance(59'999);
  ASSERT_EQ(*d->Step(), 0u);
  EXPECT_TRUE(store_.Snapshot().empty());
  clock_.Advance(1);
  ASSERT_EQ(*d->Step(), 0u);
  auto objects = store_.Snapshot();
  ASSERT_EQ(objects.size(), 2u);
  auto it = objects.begin();
  EXPECT_EQ(it->first,
            "events/event_type=click/campaign=c2/dt=2023-11-14/hour=22/"
            "mailpulse-events-0000-00000000000000000003-00000000000000000003.json");
  ++it;
  EXPECT_EQ(it->first,
            "events/event_type=open/campaign=c1/dt=2023-11-14/hour=22/"
            "mailpulse-events-0000-00000000000000000001-00000000000000000002.json");
  EXPECT_EQ(std::count(it->second.begin(), it->second.end(), '\n'), 2);
  EXPECT_EQ(
      it->second.rfind(
          R"({"mp_received_ms":1700000000000,"mp_webhook":"default","mp_message_id":"m-a",)", 0),
      0u);
  EXPECT_EQ(Checkpoint("delivery"), 3u);
  EXPECT_EQ(Checkpoint("delivery.intent"), 3u);
  EXPECT_EQ(d->checkpoint().u64(), 3u);
  EXPECT_EQ(probe_.objects.value(), 2u);
  EXPECT_EQ(probe_.records.value(), 3u);
  EXPECT_EQ(probe_.bytes.value(), objects.begin()->second.size() + it->second.size());
}

TEST_F(ShardDelivererTest, SizeHintCutsBatchesAndNothingIsLostOrDoubled) {
  opt_.interval_ms = 900'000;
  opt_.buffer_bytes = 2000;
  Append(Events(0, 40));
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  while (*d->Step() > 0) {
    EXPECT_LT(d->buffered_bytes(), 2000u);
  }
  uint64_t cp = d->checkpoint().u64();
  EXPECT_GT(cp, 0u);
  EXPECT_LT(cp, 40u);
  ASSERT_TRUE(d->Flush().ok());
  EXPECT_EQ(d->checkpoint().u64(), 40u);
  auto ids = AllEventIds(store_.Snapshot());
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 40u);
}

TEST_F(ShardDelivererTest, CrashBetweenPutAndCheckpointReplaysTheSameObjects) {
  opt_.interval_ms = 0;
  Append(Events(0, 12));
  CheckpointFailingStream failing(stream_.get());
  failing.fail_consumer = "delivery";
  stopping_ = true;  // the "crash": give up at the first failure
  {
    auto d = Make(&failing);
    ASSERT_TRUE(d->Recover().ok());
    EXPECT_FALSE(d->Step().ok());
  }
  auto before = store_.Snapshot();
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(Checkpoint("delivery"), 0u);
  EXPECT_EQ(Checkpoint("delivery.intent"), 12u);
  // New records arrive before the restart; they must not join the replayed batch.
  Append(Events(12, 5));
  stopping_ = false;
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  EXPECT_EQ(d->checkpoint().u64(), 12u);
  EXPECT_EQ(store_.Snapshot(), before);  // same keys, same bytes: overwritten, not added
  ASSERT_EQ(*d->Step(), 5u);
  auto after = store_.Snapshot();
  EXPECT_GT(after.size(), before.size());
  auto ids = AllEventIds(after);
  EXPECT_EQ(ids.size(), 17u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 17u);
}

TEST_F(ShardDelivererTest, CrashAfterSomePutsCompletesTheBatchOnRestart) {
  opt_.interval_ms = 0;
  Append(Events(0, 12));  // 4 partitions
  store_.fail_after_puts = 1;
  stopping_ = true;
  {
    auto d = Make();
    ASSERT_TRUE(d->Recover().ok());
    EXPECT_FALSE(d->Step().ok());
  }
  EXPECT_EQ(store_.Snapshot().size(), 1u);
  store_.fail_after_puts = -1;
  stopping_ = false;
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  auto objects = store_.Snapshot();
  EXPECT_EQ(objects.size(), 4u);
  auto ids = AllEventIds(objects);
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 12u);
  EXPECT_EQ(Checkpoint("delivery"), 12u);
}

TEST_F(ShardDelivererTest, StoreFailuresAreRetriedWithBackoffAndJitter) {
  opt_.interval_ms = 0;
  Append({EventPayload("open", "a", "c1")});
  store_.fail_next_puts = 3;
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  ASSERT_EQ(*d->Step(), 1u);
  EXPECT_EQ(store_.Snapshot().size(), 1u);
  EXPECT_EQ(store_.put_calls, 4);
  ASSERT_EQ(sleeps_.size(), 3u);
  for (int n = 0; n < 3; ++n) {
    int64_t cap = 100 << n;  // initial 100 ms, doubling
    EXPECT_GE(sleeps_[n], cap / 2) << n;
    EXPECT_LT(sleeps_[n], cap) << n;
  }
  EXPECT_EQ(probe_.failures.value(), 3u);
  EXPECT_EQ(probe_.retries.value(), 3u);
  EXPECT_EQ(Checkpoint("delivery"), 1u);
}

TEST_F(ShardDelivererTest, UndeliverableRecordsGoUnderTheErrorPrefix) {
  opt_.interval_ms = 0;
  Append({EventPayload("open", "a", "c1"), R"({"not":"enriched"})", "not json"});
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  ASSERT_EQ(*d->Step(), 3u);
  auto objects = store_.Snapshot();
  ASSERT_EQ(objects.size(), 2u);
  auto err = objects.begin();
  EXPECT_EQ(err->first,
            "errors/processing-failed/dt=2023-11-14/hour=22/"
            "mailpulse-events-0000-00000000000000000002-00000000000000000003.json");
  EXPECT_EQ(err->second,
            "{\"mp_received_ms\":1700000000000,\"mp_error\":\"delivery: record has no _mailpulse "
            "envelope\","
            "\"raw\":{\"not\":\"enriched\"}}\n"
            "{\"mp_received_ms\":1700000000000,\"mp_error\":\"delivery: record has no _mailpulse "
            "envelope\","
            "\"raw\":\"not json\"}\n");
  EXPECT_EQ(probe_.error_records.value(), 2u);
  EXPECT_EQ(Checkpoint("delivery"), 3u);
}

TEST_F(ShardDelivererTest, ErrorOutputStreamIsDeliveredUnderTheErrorPrefix) {
  opt_.interval_ms = 0;
  batch_.source = "errors";
  batch_.error_source = true;
  Append(
      {R"({"_mailpulse":{"received_ms":1700000000000,"webhook":"default","error":"missing field: event"},"raw":{"timestamp":1}})"});
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  ASSERT_EQ(*d->Step(), 1u);
  auto objects = store_.Snapshot();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects.begin()->first,
            "errors/processing-failed/dt=2023-11-14/hour=22/"
            "mailpulse-errors-0000-00000000000000000001-00000000000000000001.json");
  EXPECT_EQ(objects.begin()->second,
            "{\"mp_received_ms\":1700000000000,\"mp_webhook\":\"default\",\"mp_error\":\"missing "
            "field: event\","
            "\"raw\":{\"timestamp\":1}}\n");
}

TEST_F(ShardDelivererTest, BatchesAreByteIdenticalWhenRebuilt) {
  batch_.encoding = *FindEncoding("jsonl.gz");
  Append(Events(0, 30));
  auto build = [&] {
    BatchBuilder b(&batch_, ShardId(0));
    auto r = stream_->OpenReader(ShardId(0), StartPosition::TrimHorizon());
    for (auto& rec : ReadAll(**r)) b.Add(rec);
    return *b.Finish();
  };
  auto a = build(), b = build();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].data, b[i].data);
  }
}

TEST_F(ShardDelivererTest, EventTimePartitioningGroupsByEventDay) {
  opt_.interval_ms = 0;
  ASSERT_TRUE(PrefixTemplate::ParsePair("events/event_dt=!{event_timestamp:yyyy-MM-dd}/",
                                        "errors/!{firehose:error-output-type}/", &batch_.prefix,
                                        &batch_.error_prefix)
                  .ok());
  Append({EventPayload("open", "a", "", 1699999000), EventPayload("open", "b", "", 1699000000),
          EventPayload("open", "c", "", 1699999001)});
  auto d = Make();
  ASSERT_TRUE(d->Recover().ok());
  ASSERT_EQ(*d->Step(), 3u);
  auto objects = store_.Snapshot();
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects.begin()->first,
            "events/event_dt=2023-11-03/"
            "mailpulse-events-0000-00000000000000000002-00000000000000000002.json");
  EXPECT_EQ(std::next(objects.begin())->first,
            "events/event_dt=2023-11-14/"
            "mailpulse-events-0000-00000000000000000001-00000000000000000003.json");
}

}  // namespace
}  // namespace mailpulse::testing
