// PutBatcher: turns many concurrent Stream::Append calls into few PutRecords
// requests (docs/kinesis.md, "Appends").
//
// Every record of every Append becomes one queue item. A small pool of
// sender threads (options.senders, each one request in flight) takes what
// is queued, up to max_request_records records and max_request_bytes bytes
// (data + partition keys) per request: while requests are in flight, new
// appends pile up and ride the next request together, so batching grows
// with load and adds no delay when idle.
//
// PutRecords succeeds partially: entries that come back with an ErrorCode
// (throughput exceeded, internal failure), and every entry of a request that
// failed as a whole with kRetry (5xx, throttling, connection refused), are
// queued again after an exponential backoff with jitter (options.backoff,
// storage/retry_policy.h). An Append's callback runs exactly once: ok when
// Kinesis acknowledged every one of its records (first/last = the lowest and
// highest sequence number among them; Kinesis' numbers of one call are not
// consecutive), else kRetry once a record is still unacknowledged at the
// append's deadline (options.retry_deadline_ms after Append), or kInvalid at
// once for a record Kinesis would refuse (too large, bad partition key).
// Records of a failed append that were already acknowledged stay in the
// stream (at-least-once; SendGrid's retry is then a duplicate that consumers
// drop by sg_event_id).
//
// Thread-safe. Callbacks run on sender threads (or on the caller's thread
// for refused input), never under the batcher's lock. Close fails what is
// still queued with kRetry after the requests in flight finished.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "storage/retry_policy.h"
#include "stream/kinesis/kinesis_probe.h"
#include "stream/kinesis/kinesis_protocol.h"
#include "stream/stream.h"

namespace mailpulse {

struct PutBatcherOptions {
  int senders = 4;
  int64_t retry_deadline_ms = 10'000;
  RetryPolicy backoff{0, 50, 2'000};
  uint64_t max_record_bytes = kDefaultMaxRecordBytes;  // data + partition key
  size_t max_request_records = kPutRecordsMaxRecords;
  uint64_t max_request_bytes = kPutRecordsMaxBytes;
};

// Sends one PutRecords request (KinesisClient::PutRecords bound to a stream).
using PutRecordsFn = std::function<Result<PutRecordsOutput>(std::span<const PutRecordsEntry>)>;

class PutBatcher {
 public:
  // probe must outlive the batcher. Starts the sender threads.
  PutBatcher(PutBatcherOptions options, PutRecordsFn put, KinesisProbe* probe);
  ~PutBatcher();
  PutBatcher(const PutBatcher&) = delete;
  PutBatcher& operator=(const PutBatcher&) = delete;

  void Append(std::vector<AppendRecord> records, AppendCallback done);
  void Close();

 private:
  struct Call;
  struct Item {
    std::shared_ptr<Call> call;
    uint32_t index = 0;
    int attempt = 0;
  };
  struct Completion {
    AppendCallback done;
    Status status;
    SequenceNumber first, last;
  };
  using SteadyMillis = int64_t;

  static SteadyMillis Now();
  void SenderLoop(int index);
  // Under mu_: queue `item` for another attempt, or fail its call when the
  // next attempt would fall after its deadline.
  void RetryLocked(Item item, const std::string& reason, SteadyMillis now,
                   std::vector<Completion>* completions);
  void FailLocked(Call& call, Status status, std::vector<Completion>* completions);
  static void Run(std::vector<Completion>& completions);

  const PutBatcherOptions options_;
  const PutRecordsFn put_;
  KinesisProbe* const probe_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> ready_;
  std::multimap<SteadyMillis, Item> delayed_;  // by the time the next attempt may start
  bool closing_ = false;
  std::vector<std::thread> senders_;
};

}  // namespace mailpulse
