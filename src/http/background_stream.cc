#include "http/background_stream.h"

#include <deque>
#include <thread>

namespace mailpulse {

// The hand-off between a producer thread and the server's stream polls.
struct BackgroundStreams::Run final : StreamProducer, std::enable_shared_from_this<Run> {
  BackgroundStreamOptions opt;
  Responder respond;  // called once: Refuse, Begin, or the 500 fallback
  bool answered = false;
  std::mutex mu;
  std::condition_variable space_cv;
  std::deque<std::string> chunks;
  size_t bytes = 0;
  bool finished = false;
  std::atomic<bool> cancel{false};

  void Cancel() {
    std::lock_guard lock(mu);
    cancel.store(true);
    space_cv.notify_all();
  }

  void Refuse(HttpResponse response) override {
    if (answered) return;
    answered = true;
    respond(std::move(response));
  }

  void Begin(std::string content_type,
             std::vector<std::pair<std::string, std::string>> headers) override;

  bool Write(std::string_view data) override {
    if (data.empty()) return !cancel.load();
    std::unique_lock lock(mu);
    space_cv.wait(lock, [&] { return cancel.load() || bytes < opt.max_buffered_bytes; });
    if (cancel.load()) return false;
    bytes += data.size();
    chunks.emplace_back(data);
    return true;
  }

  // Up to ~1 MiB of what is queued; "" when nothing is; nullopt at the end.
  std::optional<std::string> Drain() {
    std::lock_guard lock(mu);
    if (chunks.empty()) {
      if (finished) return std::nullopt;
      return std::string();
    }
    std::string out;
    while (!chunks.empty() && out.size() < (1u << 20)) {
      out += chunks.front();
      bytes -= chunks.front().size();
      chunks.pop_front();
    }
    space_cv.notify_all();
    return out;
  }

  bool cancelled() const override { return cancel.load(); }
  const std::atomic<bool>* cancel_flag() const override { return &cancel; }
};

namespace {

// Cancels the run when the response's poll function is destroyed (the
// stream ended, the client went away, or the server stopped).
struct CancelOnDrop {
  std::shared_ptr<BackgroundStreams::Run> run;
  ~CancelOnDrop() { run->Cancel(); }
};

}  // namespace

void BackgroundStreams::Run::Begin(std::string content_type,
                                   std::vector<std::pair<std::string, std::string>> headers) {
  if (answered) return;
  answered = true;
  HttpResponse r;
  r.content_type = std::move(content_type);
  r.headers = std::move(headers);
  r.stream_interval_ms = opt.poll_interval_ms;
  auto drop = std::make_shared<CancelOnDrop>();
  drop->run = shared_from_this();
  r.stream_poll = [drop]() { return drop->run->Drain(); };
  respond(std::move(r));
}

BackgroundStreams::~BackgroundStreams() {
  std::unique_lock lock(mu_);
  for (auto& run : runs_) run->Cancel();
  idle_cv_.wait(lock, [this] { return running_ == 0; });
}

void BackgroundStreams::Start(Responder respond, std::function<void(StreamProducer&)> produce) {
  auto run = std::make_shared<Run>();
  run->opt = opt_;
  run->respond = std::move(respond);
  {
    std::lock_guard lock(mu_);
    ++running_;
    runs_.push_back(run);
  }
  std::thread([this, run, produce = std::move(produce)] {
    produce(*run);
    if (!run->answered) run->Refuse(HttpResponse::Error(500, "the request produced no answer"));
    {
      std::lock_guard lock(run->mu);
      run->finished = true;
    }
    run->respond = nullptr;  // drops the responder (and its session) on this thread
    std::lock_guard lock(mu_);
    std::erase(runs_, run);
    --running_;
    idle_cv_.notify_all();
  }).detach();
}

}  // namespace mailpulse
