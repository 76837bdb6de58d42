#include "stream/kinesis/put_batcher.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/thread_name.h"

namespace mailpulse {

struct PutBatcher::Call {
  std::vector<AppendRecord> records;
  AppendCallback done;
  SteadyMillis deadline = 0;
  // Guarded by the batcher's mu_.
  size_t remaining = 0;
  bool finished = false;
  SequenceNumber first, last;
};

PutBatcher::PutBatcher(PutBatcherOptions options, PutRecordsFn put, KinesisProbe* probe)
    : options_(std::move(options)), put_(std::move(put)), probe_(probe) {
  const int n = std::max(1, options_.senders);
  senders_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) senders_.emplace_back([this, i] { SenderLoop(i); });
}

PutBatcher::~PutBatcher() { Close(); }

PutBatcher::SteadyMillis PutBatcher::Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void PutBatcher::Run(std::vector<Completion>& completions) {
  for (Completion& c : completions) c.done(c.status, c.first, c.last);
  completions.clear();
}

void PutBatcher::Append(std::vector<AppendRecord> records, AppendCallback done) {
  if (records.empty()) {
    done(Status::Ok(), SequenceNumber(), SequenceNumber());
    return;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const AppendRecord& r = records[i];
    if (r.partition_key.empty() || r.partition_key.size() > kPartitionKeyMaxChars) {
      done(Status::Invalid("kinesis: record " + std::to_string(i) + " has a partition key of " +
                           std::to_string(r.partition_key.size()) + " bytes; Kinesis takes 1..256"),
           SequenceNumber(), SequenceNumber());
      return;
    }
    const uint64_t bytes = r.payload.size() + r.partition_key.size();
    if (bytes > options_.max_record_bytes) {
      done(Status::Invalid("kinesis: record " + std::to_string(i) + " is " + std::to_string(bytes) +
                           " bytes with its partition key; the stream takes at most " +
                           std::to_string(options_.max_record_bytes)),
           SequenceNumber(), SequenceNumber());
      return;
    }
  }
  auto call = std::make_shared<Call>();
  call->records = std::move(records);
  call->done = std::move(done);
  call->deadline = Now() + options_.retry_deadline_ms;
  call->remaining = call->records.size();
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (closing_) {
      lock.unlock();
      call->done(Status::Retry("kinesis: stream is closing"), SequenceNumber(), SequenceNumber());
      return;
    }
    for (uint32_t i = 0; i < call->records.size(); ++i) ready_.push_back(Item{call, i, 0});
  }
  cv_.notify_one();
}

void PutBatcher::FailLocked(Call& call, Status status, std::vector<Completion>* completions) {
  if (call.finished) return;
  call.finished = true;
  probe_->appends_failed().Inc();
  completions->push_back({std::move(call.done), std::move(status), {}, {}});
}

void PutBatcher::RetryLocked(Item item, const std::string& reason, SteadyMillis now,
                             std::vector<Completion>* completions) {
  Call& call = *item.call;
  if (call.finished) return;
  const SteadyMillis at = now + options_.backoff.BackoffMillis(item.attempt, JitterDraw());
  if (at > call.deadline) {
    FailLocked(
        call,
        Status::Retry("kinesis: " + std::to_string(call.remaining) + " of " +
                      std::to_string(call.records.size()) + " records not acknowledged within " +
                      std::to_string(options_.retry_deadline_ms) + " ms; last error: " + reason),
        completions);
    return;
  }
  probe_->record_retries().Inc();
  ++item.attempt;
  delayed_.emplace(at, std::move(item));
}

void PutBatcher::SenderLoop(int index) {
  SetThreadName("mp-kin-put-" + std::to_string(index));
  std::vector<Item> batch;
  std::vector<PutRecordsEntry> entries;
  std::vector<Completion> completions;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    SteadyMillis now = Now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      ready_.push_back(std::move(delayed_.begin()->second));
      delayed_.erase(delayed_.begin());
    }
    batch.clear();
    entries.clear();
    uint64_t bytes = 0;
    while (!ready_.empty() && batch.size() < options_.max_request_records) {
      Item& front = ready_.front();
      if (front.call->finished) {  // its append already failed: nothing to send
        ready_.pop_front();
        continue;
      }
      const AppendRecord& r = front.call->records[front.index];
      PutRecordsEntry e{r.payload, r.partition_key};
      const uint64_t b = PutRecordsEntryBytes(e);
      if (!batch.empty() && bytes + b > options_.max_request_bytes) break;
      bytes += b;
      entries.push_back(e);
      batch.push_back(std::move(front));
      ready_.pop_front();
    }
    if (batch.empty()) {
      if (closing_) break;
      if (delayed_.empty()) {
        cv_.wait(lock);
      } else {
        auto wake = std::chrono::steady_clock::time_point(
            std::chrono::milliseconds(delayed_.begin()->first));
        cv_.wait_until(lock, wake);
      }
      continue;
    }
    if (!ready_.empty() || !delayed_.empty()) cv_.notify_one();  // another sender may start
    lock.unlock();

    probe_->put_requests().Inc();
    probe_->records_sent().Inc(entries.size());
    auto t0 = std::chrono::steady_clock::now();
    Result<PutRecordsOutput> out = put_(entries);
    probe_->put_seconds().Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

    lock.lock();
    now = Now();
    if (!out.ok()) {
      probe_->put_request_errors().Inc();
      const Status& st = out.status();
      if (st.kind() == ErrorKind::kRetry) {
        for (Item& item : batch) RetryLocked(std::move(item), st.message(), now, &completions);
      } else {
        // Not retryable (stream deleted, access denied, bad request): fail
        // the appends now; ingest answers 503 and SendGrid retries later.
        spdlog::warn("kinesis PutRecords failed: {}", st.ToString());
        for (Item& item : batch) FailLocked(*item.call, Status::Retry(st.message()), &completions);
      }
    } else {
      std::map<std::string, uint64_t> failed_codes;
      for (size_t i = 0; i < batch.size(); ++i) {
        Item& item = batch[i];
        const PutRecordsResultEntry& res = out->records[i];
        Call& call = *item.call;
        if (!res.ok()) {
          failed_codes[res.error_code]++;
          RetryLocked(std::move(item), res.error_code + ": " + res.error_message, now,
                      &completions);
          continue;
        }
        probe_->records_acked().Inc();
        if (call.finished) continue;
        std::optional<SequenceNumber> seq = SequenceNumber::FromDecimal(res.sequence_number);
        if (!seq) {
          FailLocked(call,
                     Status::Retry("kinesis PutRecords: malformed SequenceNumber '" +
                                   res.sequence_number + "'"),
                     &completions);
          continue;
        }
        if (call.first.is_zero() || *seq < call.first) call.first = *seq;
        if (call.last.is_zero() || call.last < *seq) call.last = *seq;
        if (--call.remaining == 0) {
          call.finished = true;
          completions.push_back({std::move(call.done), Status::Ok(), call.first, call.last});
        }
      }
      for (const auto& [code, n] : failed_codes) probe_->CountFailedRecords(code, n);
    }
    batch.clear();
    if (!completions.empty()) {
      lock.unlock();
      Run(completions);
      lock.lock();
    }
  }
}

void PutBatcher::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_ && senders_.empty()) return;
    closing_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : senders_) t.join();
  senders_.clear();
  std::vector<Completion> completions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [at, item] : delayed_) {
      FailLocked(*item.call,
                 Status::Retry("kinesis: stream closed before the records were acknowledged"),
                 &completions);
    }
    delayed_.clear();
    for (Item& item : ready_) {
      FailLocked(*item.call,
                 Status::Retry("kinesis: stream closed before the records were acknowledged"),
                 &completions);
    }
    ready_.clear();
  }
  Run(completions);
}

}  // namespace mailpulse
