// Helpers shared by the embedded stream tests: a scratch directory, a
// blocking append, and read-everything.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/fault_injection_file_system.h"
#include "stream/local/local_stream.h"

namespace mailpulse::testing {

struct AppendResult {
  Status status;
  uint64_t first = 0;
  uint64_t last = 0;
};

inline AppendResult AppendAndWait(Stream& s, uint32_t shard,
                                  const std::vector<std::string>& payloads,
                                  UnixMillis arrival_ms = 0, const std::string& key = "k") {
  std::vector<AppendRecord> recs;
  for (const std::string& p : payloads) recs.push_back(AppendRecord{key, p, arrival_ms});
  std::promise<AppendResult> done;
  s.Append(ShardId(shard), std::move(recs),
           [&](const Status& st, SequenceNumber f, SequenceNumber l) {
             done.set_value(AppendResult{st, f.u64(), l.u64()});
           });
  return done.get_future().get();
}

inline std::vector<StreamRecord> ReadAll(StreamReader& r, Status* error = nullptr) {
  std::vector<StreamRecord> all;
  for (;;) {
    Result<std::vector<StreamRecord>> got = r.Read(7, 1 << 20);  // odd size exercises resumption
    if (!got.ok()) {
      if (error != nullptr) *error = got.status();
      return all;
    }
    if (got->empty()) return all;
    for (auto& rec : *got) all.push_back(std::move(rec));
  }
}

inline std::vector<uint64_t> Seqs(const std::vector<StreamRecord>& recs) {
  std::vector<uint64_t> v;
  for (const auto& r : recs) v.push_back(r.seq.u64());
  return v;
}

inline std::vector<std::string> Payloads(const std::vector<StreamRecord>& recs) {
  std::vector<std::string> v;
  for (const auto& r : recs) v.push_back(r.payload);
  return v;
}

inline std::vector<std::string> Numbered(const std::string& prefix, int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

// A fresh directory per test, removed afterwards; a fault-injecting file
// system and a manual clock.
class StreamTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-stream-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    options_.dir = root_ + "/stream";
    options_.shards = 1;
    options_.fs = &fs_;
    options_.clock = &clock_;
    options_.retention_seconds = 0;
  }
  void TearDown() override {
    stream_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  LocalStream& Open() {
    stream_.reset();
    auto s = LocalStream::Open(options_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    stream_ = std::move(*s);
    return *stream_;
  }
  std::vector<StreamRecord> ReadShard(uint32_t shard,
                                      StartPosition start = StartPosition::TrimHorizon(),
                                      Status* error = nullptr) {
    auto r = stream_->OpenReader(ShardId(shard), start);
    EXPECT_TRUE(r.ok());
    return ReadAll(**r, error);
  }
  std::string ShardDir(uint32_t shard = 0) const {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "/shard-%04u", shard);
    return options_.dir + buf;
  }
  std::vector<std::string> SegmentFiles(uint32_t shard = 0) const {
    std::vector<std::string> v;
    for (const auto& e : std::filesystem::directory_iterator(ShardDir(shard)))
      v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    return v;
  }

  std::string root_;
  FaultInjectingFileSystem fs_;
  ManualClock clock_{1'700'000'000'000};
  LocalStreamOptions options_;
  std::unique_ptr<LocalStream> stream_;
};

}  // namespace mailpulse::testing
