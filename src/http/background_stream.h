// BackgroundStreams: answers that are produced on a thread of their own and
// streamed to the client as they come (POST /v1/query, S3 Select's
// SelectObjectContent). The producer decides the status before the first
// byte: Refuse() answers with an error response (say, 404 when the object is
// missing); Begin() sends 200 and the headers; Write() then queues bytes
// that the HTTP server's stream polls send.
//
// Backpressure: Write blocks while more than `max_buffered_bytes` wait for
// a slow client. Cancellation: when the client goes away, the server stops,
// or the BackgroundStreams is destroyed, cancelled() turns true and Write
// returns false at once; producers should stop. The destructor waits for
// every producer thread to return.
//
// Thread-safe. Producers run on their own threads; the responder is called
// from them (the HTTP server allows that).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_server.h"

namespace mailpulse {

class StreamProducer {
 public:
  virtual ~StreamProducer() = default;
  // Answer with `response` instead of a stream (only before Begin).
  virtual void Refuse(HttpResponse response) = 0;
  // Send 200 with this content type and headers; bytes follow with Write.
  virtual void Begin(std::string content_type,
                     std::vector<std::pair<std::string, std::string>> headers = {}) = 0;
  // Queues bytes (Begin first). False once cancelled: stop producing.
  virtual bool Write(std::string_view bytes) = 0;
  virtual bool cancelled() const = 0;
  // The flag, for loops that poll it (the query executor's sink).
  virtual const std::atomic<bool>* cancel_flag() const = 0;
};

struct BackgroundStreamOptions {
  size_t max_buffered_bytes = 4u << 20;
  int64_t poll_interval_ms = 5;
};

class BackgroundStreams {
 public:
  explicit BackgroundStreams(BackgroundStreamOptions options = {}) : opt_(options) {}
  ~BackgroundStreams();

  // Runs `produce` on a new thread. If it returns without Refuse or Begin, a
  // 500 is sent; after Begin, returning ends the response.
  void Start(Responder respond, std::function<void(StreamProducer&)> produce);

  struct Run;

 private:
  BackgroundStreamOptions opt_;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  int running_ = 0;
  std::vector<std::shared_ptr<Run>> runs_;
};

}  // namespace mailpulse
