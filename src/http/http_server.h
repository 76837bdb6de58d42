// HttpServer: the HTTP/1.1 front door (API Gateway's role).
//
// N worker threads (all cores by default), each with its own epoll set; one
// worker accepts and hands connections out round-robin, and a connection then
// lives on its worker. Keep-alive and pipelining; Beast's parser reads the
// request header (so that the router can refuse early: 404, 401, 413, 415,
// without reading a body it would throw away) and chunked bodies; a body with
// a Content-Length is read straight from the socket into its final buffer.
// Handlers answer asynchronously through a Responder, from any thread: ingest
// answers only after the stream has made the events durable, so the
// connection simply waits; the answer comes back to the connection's worker
// through a queue and an eventfd. Deadlines (header, body, write, lingering
// close) are checked ten times a second.
//
// Why not Asio: under ingest load (49 KB bodies, thousands of requests a
// second on two cores) Asio's type-erased executors, per-connection strands
// and per-operation timers took about twice the CPU of the handler itself
// (docs/benchmarks.md, "Where the time goes"); this loop does the same work
// with one recv per body piece and no lock on the request path but the
// completion queue's.
//
// Thread-safety: Start/Stop from one controlling thread; handlers run on
// server threads and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"

namespace mailpulse {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::string path;    // target without the query
  std::string query;
  std::vector<std::string> params;  // path parameters matched by the router
  // Header lookup (case-insensitive); empty view when absent.
  std::function<std::string_view(std::string_view name)> header;
  std::string body;  // with spare capacity for parsers that read past the end (simdjson)
  uint64_t content_length = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after this response

  // Streaming body (Server-Sent Events): when set, the server writes the
  // status line and headers (no Content-Length; `Connection: close`), then
  // every `stream_interval_ms` calls stream_poll on a server thread: a
  // non-empty string is written as the next bytes, an empty one writes
  // nothing this time, nullopt ends the response. It also ends when a write
  // fails (the client went away) or the server stops. `body` is ignored.
  // stream_poll must not block; it is dropped (destroyed) when the stream ends.
  std::function<std::optional<std::string>()> stream_poll;
  int64_t stream_interval_ms = 250;

  // {"error":"<reason>"} with the given status.
  static HttpResponse Error(int status, std::string_view reason);
  static HttpResponse Json(int status, std::string body);
};

// Called exactly once per request, from any thread.
using Responder = std::function<void(HttpResponse)>;

// What the server asks of the application.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // After the header is read and before the body is: return a response to
  // refuse the request without reading its body (the connection is closed),
  // or nullopt to go on. `req.body` is empty here.
  virtual std::optional<HttpResponse> Precheck(const HttpRequest& req) = 0;
  // With the whole body. Must eventually call respond exactly once.
  virtual void Handle(HttpRequest req, Responder respond) = 0;
  // Route label for metrics (a pattern, never raw user input).
  virtual std::string RouteLabel(const HttpRequest& req) const = 0;
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  int threads = 0;                        // 0 = hardware concurrency
  uint64_t max_body_bytes = 4u << 20;
  int64_t header_timeout_seconds = 10;
  int64_t body_timeout_seconds = 30;
  uint32_t max_connections = 10000;
  size_t body_padding = 64;  // spare capacity after the body
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler* handler, MetricsRegistry* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the worker threads.
  Status Start();
  // The port actually bound (after Start).
  uint16_t port() const;
  // Closes the listening socket; open connections carry on.
  void StopAccepting();
  // Waits until every request handed to the handler has been answered.
  bool WaitIdle(std::chrono::milliseconds limit);
  // Stops accepting, waits (up to 10 s) for answers in flight, closes
  // connections, joins threads.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailpulse
