// KinesisReader: StreamReader over one Kinesis shard, with GetShardIterator
// and GetRecords (docs/kinesis.md, "Reading").
//
// Kinesis allows 5 GetRecords calls per second per shard, so a Read waits
// until 200 ms have passed since this reader's previous call before making
// the next one (it never spins). A GetRecords answer may be empty while the
// shard still holds later records (MillisBehindLatest > 0): Read then calls
// again, up to a few times, so that "empty" keeps meaning "caught up, poll
// again later" as for the embedded log.
//
// An ExpiredIteratorException (iterators live 5 minutes) re-gets the
// iterator AFTER_SEQUENCE_NUMBER the last record returned (or at the start
// position when none was). When GetRecords answers without
// NextShardIterator the shard is closed and read to its end:
// at_shard_end() turns true and Read returns empty from then on.
//
// Not thread-safe (one per consumer thread). The client and probe must
// outlive the reader.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "stream/kinesis/kinesis_client.h"
#include "stream/kinesis/kinesis_probe.h"
#include "stream/stream.h"

namespace mailpulse {

struct KinesisReaderOptions {
  int64_t min_call_interval_ms = 200;  // 5 GetRecords calls/s/shard
  int empty_calls_while_behind = 5;    // more calls per Read while MillisBehindLatest > 0
  SleepFn sleep = RealSleep();
};

class KinesisReader final : public StreamReader {
 public:
  KinesisReader(KinesisClient* client, KinesisProbe* probe, std::string stream,
                std::string shard_name, StartPosition start, KinesisReaderOptions options = {});

  Result<std::vector<StreamRecord>> Read(size_t max_records, size_t max_bytes) override;
  bool at_shard_end() const override { return at_end_; }

 private:
  Status EnsureIterator();
  void Pace();

  KinesisClient* client_;
  KinesisProbe* probe_;
  const std::string stream_;
  const std::string shard_name_;
  const StartPosition start_;
  const KinesisReaderOptions options_;
  Gauge* behind_;
  std::string iterator_;
  std::string last_seq_;  // decimal of the last record returned
  bool at_end_ = false;
  std::optional<std::chrono::steady_clock::time_point> last_call_;
};

}  // namespace mailpulse
