#include "sim/simulator.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "ingest/signature.h"
#include "sim/http_client.h"

namespace mailpulse {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);

// Bounded hand-off from the generating thread to the senders.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  void Push(SimBatch b) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(b));
    not_empty_.notify_one();
  }
  // False once closed and drained.
  bool Pop(SimBatch* out) {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return false;
    *out = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<SimBatch> items_;
  size_t capacity_;
  bool closed_ = false;
};

struct Counters {
  std::atomic<int64_t> accepted{0}, failed{0}, retries{0};
  std::atomic<int64_t> server_accepted{0}, server_duplicates{0}, server_rejected{0};
};

void AddServerCounts(const std::string& body, Counters* c) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return;
  int64_t v = 0;
  if (doc["accepted"].get(v) == simdjson::SUCCESS) c->server_accepted += v;
  if (doc["duplicates"].get(v) == simdjson::SUCCESS) c->server_duplicates += v;
  if (doc["rejected"].get(v) == simdjson::SUCCESS) c->server_rejected += v;
}

std::string Snippet(const std::string& s) {
  std::string out = s.substr(0, 200);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// Delivers one batch the way SendGrid does: retry any non-2xx.
void SendWithRetries(const SimulatorOptions& o, HttpClient& client, const SimBatch& batch,
                     Counters* c) {
  const auto first = SteadyClock::now();
  auto backoff = kFirstBackoff;
  for (int attempt = 0;; ++attempt) {
    HttpHeaders headers = {{"Content-Type", "application/json"},
                           {"User-Agent", "SendGrid Event API"}};
    if (o.signer) {
      std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
      Result<std::string> sig = o.signer->Sign(ts, batch.body);
      if (sig.ok()) {
        headers.emplace_back(kSignatureHeader, *sig);
        headers.emplace_back(kTimestampHeader, ts);
      } else {
        spdlog::error("signing failed: {}", sig.status().message());
      }
    }
    if (!o.bearer_token.empty()) headers.emplace_back("Authorization", "Bearer " + o.bearer_token);

    Result<ClientResponse> res = client.Post(headers, batch.body);
    if (res.ok() && res->status >= 200 && res->status < 300) {
      c->accepted++;
      AddServerCounts(res->body, c);
      if (attempt > 0) spdlog::info("batch accepted after {} retries", attempt);
      return;
    }
    std::string why = res.ok() ? "HTTP " + std::to_string(res->status) + " " + Snippet(res->body)
                               : res.status().message();
    auto waited = SteadyClock::now() - first;
    if (waited >= std::chrono::duration<double>(o.retry_for_seconds)) {
      c->failed++;
      spdlog::error("giving up on a batch of {} events after {} attempts: {}", batch.events,
                    attempt + 1, why);
      return;
    }
    if (attempt == 0) spdlog::warn("batch not accepted ({}), retrying", why);
    c->retries++;
    std::this_thread::sleep_for(backoff);
    backoff =
        std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBackoff));
  }
}

}  // namespace

Result<SimulatorSummary> RunSimulation(const SimulatorOptions& o, TrafficGenerator& gen,
                                       const std::atomic<bool>* stop) {
  MP_ASSIGN_OR_RETURN(HttpUrl url, HttpUrl::Parse(o.url));
  const int connections = std::max(1, o.connections);
  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(std::max(0.1, o.timeout_seconds) * 1000));
  BatchQueue queue(static_cast<size_t>(connections) * 2);
  Counters counters;
  std::vector<std::thread> workers;
  for (int i = 0; i < connections; ++i) {
    workers.emplace_back([&] {
      HttpClient client(url, timeout);
      SimBatch b;
      while (queue.Pop(&b)) SendWithRetries(o, client, b, &counters);
    });
  }

  SimulatorSummary s;
  const auto start = SteadyClock::now();
  while (stop == nullptr || !stop->load()) {
    std::optional<SimBatch> b = gen.NextBatch();
    if (!b) break;
    if (o.rate > 0) {  // this batch may leave once the events before it fit the rate
      auto due = start + std::chrono::duration_cast<SteadyClock::duration>(
                             std::chrono::duration<double>(s.events_sent / o.rate));
      while (SteadyClock::now() < due && (stop == nullptr || !stop->load())) {
        std::this_thread::sleep_for(std::min<SteadyClock::duration>(
            due - SteadyClock::now(), std::chrono::milliseconds(100)));
      }
    }
    s.batches++;
    s.events_sent += b->events;
    s.duplicates_sent += b->duplicates;
    queue.Push(std::move(*b));
  }
  queue.Close();
  for (std::thread& t : workers) t.join();

  s.elapsed_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  s.batches_accepted = counters.accepted;
  s.batches_failed = counters.failed;
  s.retries = counters.retries;
  s.server_accepted = counters.server_accepted;
  s.server_duplicates = counters.server_duplicates;
  s.server_rejected = counters.server_rejected;
  return s;
}

}  // namespace mailpulse
