#include "http/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <limits>
#include <optional>

#include "common/json_escape.h"
#include "common/thread_name.h"

namespace mailpulse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpResponse HttpResponse::Error(int status, std::string_view reason) {
  HttpResponse r;
  r.status = status;
  r.body = "{\"error\":";
  AppendJsonString(r.body, reason);
  r.body += "}";
  return r;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Shared by sessions: what they need of the server, alive until all are gone.
struct ServerShared {
  HttpServerOptions options;
  HttpHandler* handler;
  MetricsRegistry* metrics;
  std::atomic<uint32_t> connections{0};
  std::atomic<int64_t> in_flight{0};  // requests handed to the handler, not yet answered
  Gauge* open_connections = nullptr;
  Counter* refused_connections = nullptr;
  Counter* body_bytes = nullptr;
  Counter* timeouts = nullptr;

  void CountRequest(const std::string& route, int status) {
    if (metrics == nullptr) return;
    metrics
        ->GetCounter("mailpulse_http_requests_total", "HTTP requests by route and status",
                     "route=\"" + route + "\",status=\"" + std::to_string(status) + "\"")
        .Inc();
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<ServerShared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  ~Session() {
    shared_->connections.fetch_sub(1, std::memory_order_relaxed);
    if (shared_->open_connections) shared_->open_connections->Add(-1);
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    // No body limit while the header is read (not boost::none, which this
    // Beast compares as smaller than any length): Beast would refuse a large
    // Content-Length inside the header parse, before the declared length can
    // be read back for the 413's reason. OnHeader checks it and sets the limit
    // (which chunked bodies meet while they are read).
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(std::chrono::seconds(shared_->options.header_timeout_seconds));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return Close(ec);
    auto& msg = parser_->get();
    request_.method = std::string(msg.method_string());
    request_.target = std::string(msg.target());
    auto q = request_.target.find('?');
    request_.path = request_.target.substr(0, q);
    request_.query = q == std::string::npos ? "" : request_.target.substr(q + 1);
    request_.body.clear();
    request_.content_length = parser_->content_length().value_or(0);
    // The header view reads the parser's message, alive until the next request.
    auto* m = &msg;
    request_.header = [m](std::string_view name) -> std::string_view {
      auto it = m->find(beast::string_view(name.data(), name.size()));
      if (it == m->end()) return {};
      return {it->value().data(), it->value().size()};
    };
    keep_alive_ = msg.keep_alive();

    if (std::optional<HttpResponse> early = shared_->handler->Precheck(request_)) {
      early->close = true;  // the body (if any) is not read
      return Send(std::move(*early));
    }
    if (parser_->content_length() && *parser_->content_length() > shared_->options.max_body_bytes) {
      return Send(BodyTooLarge(parser_->content_length()));
    }
    parser_->body_limit(shared_->options.max_body_bytes);
    if (parser_->is_done()) return Dispatch();
    // Room for the parser's padding up front: string_body's own reserve of the
    // declared length is then a no-op, and Dispatch's reserve does not move a
    // large body (one copy of every byte saved).
    if (auto length = parser_->content_length()) {
      msg.body().reserve(static_cast<size_t>(*length) + shared_->options.body_padding);
    }
    stream_.expires_after(std::chrono::seconds(shared_->options.body_timeout_seconds));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  HttpResponse BodyTooLarge(boost::optional<uint64_t> declared) const {
    std::string limit = std::to_string(shared_->options.max_body_bytes);
    HttpResponse r =
        HttpResponse::Error(413, declared ? "body of " + std::to_string(*declared) +
                                                " bytes exceeds the limit of " + limit + " bytes"
                                          : "body exceeds the limit of " + limit + " bytes");
    r.close = true;
    return r;
  }

  void OnBody(beast::error_code ec) {
    if (ec == http::error::body_limit) return Send(BodyTooLarge(boost::none));
    if (ec) return Close(ec);
    Dispatch();
  }

  void Dispatch() {
    stream_.expires_never();  // the handler may wait for durability; no read timeout meanwhile
    std::string& body = parser_->get().body();
    if (shared_->body_bytes) shared_->body_bytes->Inc(body.size());
    body.reserve(body.size() + shared_->options.body_padding);
    request_.body = std::move(body);
    route_ = shared_->handler->RouteLabel(request_);
    // request_.header reads parser_'s message, which lives until this
    // connection's response is written, so the handler may use it throughout.
    auto self = shared_from_this();
    shared_->in_flight.fetch_add(1, std::memory_order_relaxed);
    // The responder may run, and be destroyed, on any thread (a stream
    // callback, a query thread). It hands the session to the server's
    // executor and drops its own reference before the request stops counting
    // as in flight: once WaitIdle sees zero, no other thread holds a session
    // or posts to the io_context, so Stop may destroy both.
    shared_->handler->Handle(std::move(request_), [self](HttpResponse resp) mutable {
      std::shared_ptr<Session> session = std::move(self);
      std::shared_ptr<ServerShared> shared = session->shared_;
      auto executor = session->stream_.get_executor();
      asio::dispatch(executor, [session, resp = std::move(resp)]() mutable {
        session->Send(std::move(resp));
      });
      session.reset();
      shared->in_flight.fetch_sub(1, std::memory_order_release);
    });
  }

  void Send(HttpResponse resp) {
    if (route_.empty()) route_ = shared_->handler->RouteLabel(request_);
    shared_->CountRequest(route_, resp.status);
    route_.clear();
    if (resp.stream_poll) return StartStream(std::move(resp));
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<unsigned>(resp.status));
    response_->set(http::field::server, "mailpulse");
    response_->set(http::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) response_->set(k, v);
    response_->body() = std::move(resp.body);
    close_after_ = resp.close || !keep_alive_;
    response_->keep_alive(!close_after_);
    response_->prepare_payload();
    stream_.expires_after(std::chrono::seconds(shared_->options.body_timeout_seconds));
    http::async_write(
        stream_, *response_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWritten(ec); });
  }

  void OnWritten(beast::error_code ec) {
    response_.reset();
    if (ec) return Close(ec);
    if (close_after_) return LingeringClose();
    ReadHeader();
  }

  // Streaming responses: headers, then whatever the poll function yields, on
  // a timer, until it ends or the client goes away.
  void StartStream(HttpResponse resp) {
    stream_poll_ = std::move(resp.stream_poll);
    stream_interval_ = std::chrono::milliseconds(std::max<int64_t>(1, resp.stream_interval_ms));
    out_ = "HTTP/1.1 " + std::to_string(resp.status) + " " +
           std::string(http::obsolete_reason(static_cast<http::status>(resp.status))) +
           "\r\nServer: mailpulse\r\nContent-Type: " + resp.content_type +
           "\r\nCache-Control: no-cache\r\nConnection: close\r\n";
    for (auto& [k, v] : resp.headers) out_ += k + ": " + v + "\r\n";
    out_ += "\r\n";
    WriteStreamChunk();
  }

  void WriteStreamChunk() {
    stream_.expires_after(std::chrono::seconds(shared_->options.body_timeout_seconds));
    asio::async_write(stream_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->EndStream();
                        self->ScheduleStreamPoll();
                      });
  }

  void ScheduleStreamPoll() {
    if (!timer_) timer_.emplace(stream_.get_executor());
    timer_->expires_after(stream_interval_);
    timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->EndStream();
      std::optional<std::string> next = self->stream_poll_();
      if (!next) return self->EndStream();
      if (next->empty()) return self->ScheduleStreamPoll();
      self->out_ = std::move(*next);
      self->WriteStreamChunk();
    });
  }

  void EndStream() {
    stream_poll_ = nullptr;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  // After a refusal the client may still be sending a body we did not read.
  // Closing a socket with unread input makes the kernel send RST, and the
  // client would lose our response; so send FIN, then read and discard for a
  // bounded time and size before closing (nginx's lingering close).
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    linger_budget_ = 2 * shared_->options.max_body_bytes + (1 << 20);
    DrainSome();
  }

  void DrainSome() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec || n >= self->linger_budget_) {
                                beast::error_code ignored;
                                self->stream_.socket().close(ignored);
                                return;
                              }
                              self->linger_budget_ -= n;
                              self->DrainSome();
                            });
  }

  void Close(beast::error_code ec) {
    if (ec == beast::error::timeout && shared_->timeouts) shared_->timeouts->Inc();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<ServerShared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  HttpRequest request_;
  std::string route_;
  bool keep_alive_ = true;
  bool close_after_ = false;
  uint64_t linger_budget_ = 0;
  std::function<std::optional<std::string>()> stream_poll_;
  std::chrono::milliseconds stream_interval_{250};
  std::optional<asio::steady_timer> timer_;
  std::string out_;
};

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler* handler, MetricsRegistry* metrics)
      : shared_(std::make_shared<ServerShared>()),
        ioc_(options.threads > 0 ? options.threads
                                 : static_cast<int>(std::thread::hardware_concurrency())),
        acceptor_(asio::make_strand(ioc_)) {
    shared_->options = std::move(options);
    shared_->handler = handler;
    shared_->metrics = metrics;
    if (metrics) {
      shared_->open_connections =
          &metrics->GetGauge("mailpulse_http_open_connections", "Open HTTP connections");
      shared_->refused_connections =
          &metrics->GetCounter("mailpulse_http_refused_connections_total",
                               "Connections closed at accept (max_connections)");
      shared_->body_bytes =
          &metrics->GetCounter("mailpulse_http_body_bytes_total", "Request body bytes read");
      shared_->timeouts = &metrics->GetCounter("mailpulse_http_timeouts_total",
                                               "Connections closed by a header/body/idle timeout");
    }
  }

  Status Start() {
    const std::string& listen = shared_->options.listen;
    auto colon = listen.rfind(':');
    if (colon == std::string::npos)
      return Status::Invalid("listen must be HOST:PORT, got '" + listen + "'");
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    int port = 0;
    try {
      port = std::stoi(listen.substr(colon + 1));
    } catch (const std::exception&) {
      return Status::Invalid("listen port is not a number in '" + listen + "'");
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (ec)
      return Status::Invalid("listen host '" + host + "' is not an IP address: " + ec.message());
    tcp::endpoint ep(address, static_cast<uint16_t>(port));
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Fail("cannot listen on " + listen + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    Accept();
    int n = shared_->options.threads > 0 ? shared_->options.threads
                                         : static_cast<int>(std::thread::hardware_concurrency());
    if (n <= 0) n = 1;
    for (int i = 0; i < n; ++i)
      threads_.emplace_back([this, i] {
        SetThreadName("mp-http-" + std::to_string(i));
        ioc_.run();
      });
    return Status::Ok();
  }

  void StopAccepting() {
    if (accepting_stopped_.exchange(true)) return;
    asio::dispatch(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
  }

  bool WaitIdle(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (shared_->in_flight.load() > 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    StopAccepting();
    WaitIdle(std::chrono::seconds(10));
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  uint16_t port() const { return port_; }

 private:
  void Accept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           [this](beast::error_code ec, tcp::socket socket) {
                             if (ec) {
                               if (ec == asio::error::operation_aborted) return;
                               spdlog::warn("accept failed: {}", ec.message());
                             } else if (shared_->connections.load(std::memory_order_relaxed) >=
                                        shared_->options.max_connections) {
                               if (shared_->refused_connections)
                                 shared_->refused_connections->Inc();
                               beast::error_code ignored;
                               socket.close(ignored);
                             } else {
                               socket.set_option(tcp::no_delay(true), ec);
                               shared_->connections.fetch_add(1, std::memory_order_relaxed);
                               if (shared_->open_connections) shared_->open_connections->Add(1);
                               std::make_shared<Session>(std::move(socket), shared_)->Start();
                             }
                             if (acceptor_.is_open()) Accept();
                           });
  }

  std::shared_ptr<ServerShared> shared_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> accepting_stopped_{false};
  uint16_t port_ = 0;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler* handler, MetricsRegistry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), handler, metrics)) {}
HttpServer::~HttpServer() { Stop(); }
Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::StopAccepting() { impl_->StopAccepting(); }
bool HttpServer::WaitIdle(std::chrono::milliseconds limit) { return impl_->WaitIdle(limit); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace mailpulse
