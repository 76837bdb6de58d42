#include "http/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <unordered_map>

#include "common/json_escape.h"
#include "common/thread_name.h"

namespace mailpulse {

namespace beast = boost::beast;
namespace http = beast::http;

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

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kReadChunk = 64 * 1024;
constexpr int64_t kLingerMs = 2000;
constexpr int64_t kSweepMs = 100;  // how often deadlines are checked

// Tags in epoll_event.data.u64 for the two fds that are not connections.
constexpr uint64_t kWakeTag = 1;
constexpr uint64_t kListenTag = 2;
constexpr uint64_t kConnectionTag = 3;  // low byte; the connection id above it

bool StatusHasNoBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace

class Worker;

// One connection. Owned by its worker (and, while the handler has the
// request, by the responder too); only the worker's thread touches it.
struct Connection {
  enum class State { kHeader, kBody, kChunkedBody, kHandling, kWriting, kStreaming, kLinger };

  int fd = -1;
  uint64_t id = 0;  // unique per worker: epoll events name connections by id, not by fd
  Worker* worker = nullptr;
  State state = State::kHeader;
  int64_t deadline_ms = 0;  // 0: none
  std::string in;           // bytes read and not yet consumed (header state)
  std::optional<http::request_parser<http::string_body>> parser;
  HttpRequest request;
  size_t body_have = 0;  // Content-Length bodies: bytes of request.body read so far
  bool keep_alive = true;
  bool close_after = false;
  std::string route;
  std::string out;  // response bytes
  size_t out_sent = 0;
  uint64_t linger_budget = 0;
  // Streaming responses.
  std::function<std::optional<std::string>()> stream_poll;
  int64_t stream_interval_ms = 250;
  bool closed = false;
};

// Shared by the workers: what they need of the server.
struct ServerShared {
  HttpServerOptions options;
  HttpHandler* handler = nullptr;
  MetricsRegistry* metrics = nullptr;
  std::atomic<uint32_t> connections{0};
  std::atomic<int64_t> in_flight{0};  // requests handed to the handler, not yet answered
  Gauge* open_connections = nullptr;
  Counter* refused_connections = nullptr;
  Counter* body_bytes = nullptr;
  Counter* timeouts = nullptr;
};

// One thread with its own epoll set. Connections are handed to workers
// round-robin by the accepting worker and stay there; answers produced on
// other threads come back through the worker's completion queue and an
// eventfd. No lock is taken on the request path except that queue's.
class Worker {
 public:
  Worker(ServerShared* shared, int index) : shared_(shared), index_(index) {}

  ~Worker() {
    for (Item& item : inbox_) {
      if (item.adopt_fd >= 0) ::close(item.adopt_fd);  // handed over as the server stopped
    }
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (epfd_ >= 0) ::close(epfd_);
    if (wakefd_ >= 0) ::close(wakefd_);
  }

  Status Init() {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epfd_ < 0 || wakefd_ < 0)
      return Status::Fail(std::string("epoll/eventfd: ") + std::strerror(errno));
    return Watch(wakefd_, EPOLLIN, kWakeTag);
  }

  void set_peers(std::vector<std::unique_ptr<Worker>>* peers) { peers_ = peers; }

  // Adds fd to this worker's epoll set; `tag` comes back in its events.
  Status Watch(int fd, uint32_t events, uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
      return Status::Fail(std::string("epoll_ctl(add): ") + std::strerror(errno));
    return Status::Ok();
  }

  // Makes this worker accept on `listen_fd` (one worker does).
  Status Listen(int listen_fd) {
    listen_fd_ = listen_fd;
    return Watch(listen_fd, EPOLLIN, kListenTag);
  }

  void Run() {
    SetThreadName("mp-http-" + std::to_string(index_));
    std::vector<epoll_event> events(256);
    int64_t next_sweep = NowMs() + kSweepMs;
    while (!stop_.load(std::memory_order_acquire)) {
      int64_t now = NowMs();
      int timeout = static_cast<int>(std::max<int64_t>(0, std::min(next_sweep, NextTimer()) - now));
      int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout);
      if (n < 0 && errno != EINTR) {
        spdlog::error("http worker {}: epoll_wait: {}", index_, std::strerror(errno));
        break;
      }
      for (int i = 0; i < n; ++i) {
        uint64_t tag = events[static_cast<size_t>(i)].data.u64;
        if (tag == kWakeTag) {
          uint64_t v;
          while (::read(wakefd_, &v, sizeof v) > 0) {
          }
          continue;
        }
        if (tag == kListenTag) {
          AcceptAll();
          continue;
        }
        auto it = conns_.find(tag >> 8);
        if (it == conns_.end()) continue;
        std::shared_ptr<Connection> c = it->second;
        uint32_t e = events[static_cast<size_t>(i)].events;
        if (e & (EPOLLERR)) {
          CloseConnection(*c);
          continue;
        }
        if (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) OnReadable(c);
        if (!c->closed && (e & EPOLLOUT)) OnWritable(c);
      }
      DrainInbox();
      now = NowMs();
      RunTimers(now);
      if (now >= next_sweep) {
        Sweep(now);
        next_sweep = now + kSweepMs;
      }
    }
    // Stopping: every connection goes.
    for (auto& [id, c] : conns_) {
      c->closed = true;
      c->stream_poll = nullptr;
      ::close(c->fd);
      OnConnectionGone();
    }
    conns_.clear();
  }

  void Stop() {
    stop_.store(true, std::memory_order_release);
    Wake();
  }

  // Any thread: a new connection for this worker.
  void Adopt(int fd) { Post(Item{nullptr, {}, fd, false}); }

  // Any thread: an answer for a connection of this worker.
  void Complete(std::shared_ptr<Connection> c, HttpResponse resp) {
    Post(Item{std::move(c), std::move(resp), -1, false});
  }

  // Any thread: stop accepting (only the listening worker acts on it).
  void DropListener() { Post(Item{nullptr, {}, -1, true}); }

 private:
  struct Item {
    std::shared_ptr<Connection> conn;
    HttpResponse response;
    int adopt_fd = -1;
    bool drop_listener = false;
  };

  struct Timer {
    int64_t at_ms;
    std::weak_ptr<Connection> conn;
    bool operator>(const Timer& o) const { return at_ms > o.at_ms; }
  };

  void Post(Item item) {
    bool wake = false;
    {
      std::lock_guard<std::mutex> l(inbox_mu_);
      inbox_.push_back(std::move(item));
      if (!wake_pending_) wake_pending_ = wake = true;
    }
    if (wake && std::this_thread::get_id() != thread_id()) Wake();
  }

  void Wake() {
    uint64_t one = 1;
    ssize_t r = ::write(wakefd_, &one, sizeof one);
    (void)r;  // a full counter still wakes the worker
  }

 public:
  std::thread::id thread_id() const { return thread_id_.load(std::memory_order_relaxed); }
  void set_thread_id(std::thread::id id) { thread_id_.store(id, std::memory_order_relaxed); }

 private:
  void DrainInbox() {
    for (;;) {
      {
        std::lock_guard<std::mutex> l(inbox_mu_);
        if (inbox_.empty()) {
          wake_pending_ = false;
          return;
        }
        processing_.swap(inbox_);
      }
      for (Item& item : processing_) {
        if (item.drop_listener) {
          if (listen_fd_ >= 0) {
            ::epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
            ::close(listen_fd_);
            listen_fd_ = -1;
          }
        } else if (item.adopt_fd >= 0) {
          AddConnection(item.adopt_fd);
        } else if (item.conn && !item.conn->closed) {
          Send(item.conn, std::move(item.response));
        }
      }
      processing_.clear();
    }
  }

  void AcceptAll() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
          spdlog::warn("accept failed: {}", std::strerror(errno));
        return;
      }
      if (shared_->connections.load(std::memory_order_relaxed) >=
          shared_->options.max_connections) {
        if (shared_->refused_connections) shared_->refused_connections->Inc();
        ::close(fd);
        continue;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      shared_->connections.fetch_add(1, std::memory_order_relaxed);
      if (shared_->open_connections) shared_->open_connections->Add(1);
      Worker& target = *(*peers_)[next_peer_++ % peers_->size()];
      if (&target == this) {
        AddConnection(fd);
      } else {
        target.Adopt(fd);
      }
    }
  }

  void AddConnection(int fd) {
    auto c = std::make_shared<Connection>();
    c->fd = fd;
    c->id = ++last_id_;
    c->worker = this;
    Status watched =
        Watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, (c->id << 8) | kConnectionTag);
    if (!watched.ok()) {
      spdlog::warn("http: {}", watched.message());
      ::close(fd);
      OnConnectionGone();
      return;
    }
    conns_.emplace(c->id, c);
    StartRequest(*c);
  }

  void OnConnectionGone() {
    shared_->connections.fetch_sub(1, std::memory_order_relaxed);
    if (shared_->open_connections) shared_->open_connections->Add(-1);
  }

  void CloseConnection(Connection& c) {
    if (c.closed) return;
    c.closed = true;
    c.stream_poll = nullptr;
    ::close(c.fd);  // also leaves the epoll set
    OnConnectionGone();
    conns_.erase(c.id);  // may destroy c
  }

  // --- reading ---------------------------------------------------------------

  void StartRequest(Connection& c) {
    c.state = Connection::State::kHeader;
    c.parser.emplace();
    c.parser->header_limit(kHeaderLimit);
    // No body limit while the header is read (Beast would refuse a large
    // Content-Length inside the header parse, before the declared length can
    // be read back for the 413's reason); OnHeader sets it.
    c.parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    c.parser->eager(false);
    c.request = HttpRequest{};
    c.body_have = 0;
    c.deadline_ms = NowMs() + shared_->options.header_timeout_seconds * 1000;
  }

  // Reads what the socket has, as the state wants it.
  void OnReadable(const std::shared_ptr<Connection>& cp) {
    Connection& c = *cp;
    switch (c.state) {
      case Connection::State::kHeader:
      case Connection::State::kChunkedBody:
        if (!ReadInto(c)) return;
        ParseBuffered(cp);
        return;
      case Connection::State::kBody:
        ReadBody(cp);
        return;
      case Connection::State::kLinger:
        DrainLinger(c);
        return;
      default:
        // Handling, writing, streaming: input waits (pipelined requests stay
        // in the socket); a peer that hung up shows when we write.
        return;
    }
  }

  // Appends available bytes to c.in; false when the connection was closed.
  bool ReadInto(Connection& c) {
    for (;;) {
      size_t old = c.in.size();
      if (c.in.capacity() - old < kReadChunk / 4) c.in.reserve(old + kReadChunk);
      size_t room = c.in.capacity() - old;
      c.in.resize(c.in.capacity());
      ssize_t n = ::recv(c.fd, c.in.data() + old, room, 0);
      if (n > 0) {
        c.in.resize(old + static_cast<size_t>(n));
        if (static_cast<size_t>(n) < room) return true;  // drained for now
        if (c.state == Connection::State::kHeader && c.in.size() > kHeaderLimit * 4) return true;
        continue;
      }
      c.in.resize(old);
      if (n == 0) {
        CloseConnection(c);
        return false;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      CloseConnection(c);
      return false;
    }
  }

  // Feeds buffered bytes to the parser (header, or a chunked body).
  void ParseBuffered(const std::shared_ptr<Connection>& cp) {
    Connection& c = *cp;
    while (!c.closed && !c.in.empty() &&
           (c.state == Connection::State::kHeader || c.state == Connection::State::kChunkedBody)) {
      beast::error_code ec;
      size_t used = c.parser->put(boost::asio::const_buffer(c.in.data(), c.in.size()), ec);
      c.in.erase(0, used);
      if (ec == http::error::need_more) {
        if (c.state == Connection::State::kHeader && c.in.size() >= kHeaderLimit) {
          return Refuse(cp, 431,
                        "request header exceeds " + std::to_string(kHeaderLimit) + " bytes");
        }
        return;
      }
      if (ec == http::error::body_limit) return Send(cp, BodyTooLarge(std::nullopt));
      if (ec == http::error::header_limit) {
        return Refuse(cp, 431, "request header exceeds " + std::to_string(kHeaderLimit) + " bytes");
      }
      if (ec) return Refuse(cp, 400, "malformed HTTP request: " + ec.message());
      if (c.state == Connection::State::kHeader) {
        if (!c.parser->is_header_done()) return;
        OnHeader(cp);
      } else if (c.parser->is_done()) {
        std::string& body = c.parser->get().body();
        body.reserve(body.size() + shared_->options.body_padding);
        c.request.body = std::move(body);
        Dispatch(cp);
      }
    }
  }

  void OnHeader(const std::shared_ptr<Connection>& cp) {
    Connection& c = *cp;
    auto& msg = c.parser->get();
    HttpRequest& r = c.request;
    r.method = std::string(msg.method_string());
    r.target = std::string(msg.target());
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
    r.content_length = c.parser->content_length().value_or(0);
    // The header view reads the parser's message, alive until the response is written.
    auto* m = &msg;
    r.header = [m](std::string_view name) -> std::string_view {
      auto it = m->find(beast::string_view(name.data(), name.size()));
      if (it == m->end()) return {};
      return {it->value().data(), it->value().size()};
    };
    c.keep_alive = msg.keep_alive();

    if (std::optional<HttpResponse> early = shared_->handler->Precheck(r)) {
      early->close = true;  // the body (if any) is not read
      return Send(cp, std::move(*early));
    }
    auto length = c.parser->content_length();
    if (length && *length > shared_->options.max_body_bytes) return Send(cp, BodyTooLarge(*length));
    c.deadline_ms = NowMs() + shared_->options.body_timeout_seconds * 1000;
    // curl and other clients wait (curl: 1 s) for an interim answer before
    // sending a body they announced with "Expect: 100-continue".
    if (c.in.empty() && (length.value_or(0) > 0 || c.parser->chunked()) &&
        beast::iequals(msg[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      // The socket's send buffer is empty here (no response is pending), so
      // this tiny write completes at once or the connection is broken, which
      // the body read finds out.
      ssize_t sent = ::send(c.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
      (void)sent;
    }
    if (c.parser->chunked()) {
      c.parser->body_limit(shared_->options.max_body_bytes);
      c.parser->eager(true);
      c.state = Connection::State::kChunkedBody;
      return;  // ParseBuffered goes on with what is buffered
    }
    if (!length || *length == 0) return Dispatch(cp);
    // A Content-Length body is read straight into its final buffer, with
    // room for the parsers' padding: no copy beyond what is already buffered.
    // The string is sized once (one fill of the declared length); reads then
    // land at body_have.
    r.body.reserve(static_cast<size_t>(*length) + shared_->options.body_padding);
    r.body.resize(static_cast<size_t>(*length));
    c.body_have = std::min<size_t>(c.in.size(), r.body.size());
    std::memcpy(r.body.data(), c.in.data(), c.body_have);
    c.in.erase(0, c.body_have);
    c.state = Connection::State::kBody;
    ReadBody(cp);
  }

  void ReadBody(const std::shared_ptr<Connection>& cp) {
    Connection& c = *cp;
    std::string& body = c.request.body;
    while (c.body_have < body.size()) {
      ssize_t n = ::recv(c.fd, body.data() + c.body_have, body.size() - c.body_have, 0);
      if (n > 0) {
        c.body_have += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      return CloseConnection(c);  // the peer went away mid-body
    }
    Dispatch(cp);
  }

  HttpResponse BodyTooLarge(std::optional<uint64_t> declared) const {
    std::string limit = std::to_string(shared_->options.max_body_bytes);
    HttpResponse r =
        HttpResponse::Error(413, declared ? "body of " + std::to_string(*declared) +
                                                " bytes exceeds the limit of " + limit + " bytes"
                                          : "body exceeds the limit of " + limit + " bytes");
    r.close = true;
    return r;
  }

  void Refuse(const std::shared_ptr<Connection>& cp, int status, const std::string& reason) {
    HttpResponse r = HttpResponse::Error(status, reason);
    r.close = true;
    Send(cp, std::move(r));
  }

  void Dispatch(const std::shared_ptr<Connection>& cp) {
    Connection& c = *cp;
    c.state = Connection::State::kHandling;
    c.deadline_ms = 0;  // the handler may wait for durability; no read timeout meanwhile
    if (shared_->body_bytes) shared_->body_bytes->Inc(c.request.body.size());
    c.request.body.reserve(c.request.body.size() + shared_->options.body_padding);
    c.route = shared_->handler->RouteLabel(c.request);
    shared_->in_flight.fetch_add(1, std::memory_order_relaxed);
    // The responder may run, and be destroyed, on any thread (a stream
    // callback, a query thread). It hands the connection to its worker and
    // drops its own reference before the request stops counting as in
    // flight: once WaitIdle sees zero, no other thread holds a connection.
    ServerShared* shared = shared_;
    shared_->handler->Handle(std::move(c.request), [cp, shared](HttpResponse resp) mutable {
      std::shared_ptr<Connection> conn = std::move(cp);
      Worker* w = conn->worker;
      w->Complete(std::move(conn), std::move(resp));
      shared->in_flight.fetch_sub(1, std::memory_order_release);
    });
  }

  // --- writing -----------------------------------------------------------------

  Counter* RequestCounter(const std::string& route, int status) {
    if (shared_->metrics == nullptr) return nullptr;
    auto key = std::make_pair(route, status);
    auto it = request_counters_.find(key);
    if (it != request_counters_.end()) return it->second;
    Counter* counter = &shared_->metrics->GetCounter(
        "mailpulse_http_requests_total", "HTTP requests by route and status",
        "route=\"" + route + "\",status=\"" + std::to_string(status) + "\"");
    request_counters_.emplace(std::move(key), counter);
    return counter;
  }

  static std::string StatusLine(int status) {
    std::string reason(http::obsolete_reason(static_cast<http::status>(status)));
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  }

  void Send(const std::shared_ptr<Connection>& cp, HttpResponse resp) {
    Connection& c = *cp;
    if (c.route.empty()) c.route = shared_->handler->RouteLabel(c.request);
    if (Counter* counter = RequestCounter(c.route, resp.status)) counter->Inc();
    c.route.clear();
    if (resp.stream_poll) return StartStream(cp, std::move(resp));
    c.close_after = resp.close || !c.keep_alive;
    std::string& o = c.out;
    o.clear();
    o.reserve(160 + resp.body.size());
    o += StatusLine(resp.status);
    o += "Server: mailpulse\r\nContent-Type: ";
    o += resp.content_type;
    o += "\r\n";
    for (auto& [k, v] : resp.headers) {
      o += k;
      o += ": ";
      o += v;
      o += "\r\n";
    }
    if (c.close_after) o += "Connection: close\r\n";
    if (!StatusHasNoBody(resp.status)) {
      o += "Content-Length: ";
      o += std::to_string(resp.body.size());
      o += "\r\n";
    }
    o += "\r\n";
    if (!StatusHasNoBody(resp.status)) o += resp.body;
    c.out_sent = 0;
    c.state = Connection::State::kWriting;
    c.deadline_ms = NowMs() + shared_->options.body_timeout_seconds * 1000;
    FlushOut(cp);
  }

  // Writes what it can of c.out; true when all of it is written.
  bool WriteOut(Connection& c) {
    while (c.out_sent < c.out.size()) {
      ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      CloseConnection(c);
      return false;
    }
    return true;
  }

  void FlushOut(const std::shared_ptr<Connection>& cp) {
    Connection& c = *cp;
    if (!WriteOut(c)) return;  // EPOLLOUT resumes it (or it closed)
    if (c.state == Connection::State::kStreaming) {
      c.deadline_ms = 0;
      return ScheduleStreamPoll(cp);
    }
    c.out.clear();
    if (c.out.capacity() > (1u << 20)) c.out.shrink_to_fit();
    if (c.close_after) return StartLinger(c);
    StartRequest(c);
    // A pipelined request may already be buffered or waiting in the socket
    // (edge-triggered: no new event comes for bytes that arrived meanwhile).
    if (!c.in.empty()) ParseBuffered(cp);
    if (!c.closed && c.state == Connection::State::kHeader) OnReadable(cp);
  }

  void OnWritable(const std::shared_ptr<Connection>& cp) {
    Connection& c = *cp;
    if (c.state == Connection::State::kWriting ||
        (c.state == Connection::State::kStreaming && c.out_sent < c.out.size())) {
      FlushOut(cp);
    }
  }

  // --- streaming responses -------------------------------------------------------

  void StartStream(const std::shared_ptr<Connection>& cp, HttpResponse resp) {
    Connection& c = *cp;
    c.stream_poll = std::move(resp.stream_poll);
    c.stream_interval_ms = std::max<int64_t>(1, resp.stream_interval_ms);
    c.out = StatusLine(resp.status) + "Server: mailpulse\r\nContent-Type: " + resp.content_type +
            "\r\nCache-Control: no-cache\r\nConnection: close\r\n";
    for (auto& [k, v] : resp.headers) c.out += k + ": " + v + "\r\n";
    c.out += "\r\n";
    c.out_sent = 0;
    c.state = Connection::State::kStreaming;
    c.deadline_ms = NowMs() + shared_->options.body_timeout_seconds * 1000;
    FlushOut(cp);
  }

  void ScheduleStreamPoll(const std::shared_ptr<Connection>& cp) {
    timers_.push(Timer{NowMs() + cp->stream_interval_ms, cp});
  }

  int64_t NextTimer() const {
    return timers_.empty() ? std::numeric_limits<int64_t>::max() : timers_.top().at_ms;
  }

  void RunTimers(int64_t now) {
    while (!timers_.empty() && timers_.top().at_ms <= now) {
      std::shared_ptr<Connection> cp = timers_.top().conn.lock();
      timers_.pop();
      if (!cp || cp->closed || cp->state != Connection::State::kStreaming || !cp->stream_poll)
        continue;
      std::optional<std::string> next = cp->stream_poll();
      if (!next) {
        EndStream(*cp);
        continue;
      }
      if (next->empty()) {
        ScheduleStreamPoll(cp);
        continue;
      }
      cp->out = std::move(*next);
      cp->out_sent = 0;
      cp->deadline_ms = now + shared_->options.body_timeout_seconds * 1000;
      FlushOut(cp);
    }
  }

  void EndStream(Connection& c) {
    c.stream_poll = nullptr;
    ::shutdown(c.fd, SHUT_RDWR);
    CloseConnection(c);
  }

  // --- closing -------------------------------------------------------------------

  // After a refusal the client may still be sending a body we did not read.
  // Closing a socket with unread input makes the kernel send RST, and the
  // client would lose our response; so send FIN, then read and discard for a
  // bounded time and size before closing (nginx's lingering close).
  void StartLinger(Connection& c) {
    ::shutdown(c.fd, SHUT_WR);
    c.state = Connection::State::kLinger;
    c.deadline_ms = NowMs() + kLingerMs;
    c.linger_budget = 2 * shared_->options.max_body_bytes + (1 << 20);
    c.in.clear();
    DrainLinger(c);
  }

  void DrainLinger(Connection& c) {
    char buf[16 * 1024];
    for (;;) {
      ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        if (static_cast<uint64_t>(n) >= c.linger_budget) return CloseConnection(c);
        c.linger_budget -= static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      return CloseConnection(c);  // EOF or error
    }
  }

  // Deadlines: header and body reads, writes, lingering closes.
  void Sweep(int64_t now) {
    expired_.clear();
    for (auto& [id, c] : conns_) {
      if (c->deadline_ms != 0 && now >= c->deadline_ms) expired_.push_back(c);
    }
    for (auto& c : expired_) {
      if (c->closed) continue;
      if (c->state != Connection::State::kLinger && shared_->timeouts) shared_->timeouts->Inc();
      if (c->state != Connection::State::kLinger) ::shutdown(c->fd, SHUT_RDWR);
      CloseConnection(*c);
    }
    expired_.clear();
  }

  ServerShared* shared_;
  int index_;
  int epfd_ = -1;
  int wakefd_ = -1;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<std::thread::id> thread_id_{};
  std::vector<std::unique_ptr<Worker>>* peers_ = nullptr;
  size_t next_peer_ = 0;
  uint64_t last_id_ = 0;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> conns_;
  std::vector<std::shared_ptr<Connection>> expired_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::mutex inbox_mu_;
  std::vector<Item> inbox_;
  std::vector<Item> processing_;
  bool wake_pending_ = false;
  struct PairHash {
    size_t operator()(const std::pair<std::string, int>& p) const {
      return std::hash<std::string>()(p.first) * 31 + static_cast<size_t>(p.second);
    }
  };
  std::unordered_map<std::pair<std::string, int>, Counter*, PairHash> request_counters_;
};

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler* handler, MetricsRegistry* metrics)
      : shared_(std::make_unique<ServerShared>()) {
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

  ~Impl() { Stop(); }

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
    if (port < 0 || port > 65535)
      return Status::Invalid("listen port out of range in '" + listen + "'");
    if (host.empty()) host = "0.0.0.0";
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    int family = AF_INET;
    if (host.find(':') != std::string::npos) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
      if (::inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) != 1)
        return Status::Invalid("listen host '" + host + "' is not an IP address");
      a6->sin6_family = AF_INET6;
      a6->sin6_port = htons(static_cast<uint16_t>(port));
      addr_len = sizeof(sockaddr_in6);
      family = AF_INET6;
    } else {
      auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
      if (::inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1)
        return Status::Invalid("listen host '" + host + "' is not an IP address");
      a4->sin_family = AF_INET;
      a4->sin_port = htons(static_cast<uint16_t>(port));
      addr_len = sizeof(sockaddr_in);
    }
    int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Status::Fail(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0 ||
        ::listen(fd, SOMAXCONN) != 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      return Status::Fail("cannot listen on " + listen + ": " + err);
    }
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

    int n = shared_->options.threads > 0 ? shared_->options.threads
                                         : static_cast<int>(std::thread::hardware_concurrency());
    if (n <= 0) n = 1;
    for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(shared_.get(), i));
    Status st;
    for (auto& w : workers_) {
      w->set_peers(&workers_);
      if (st.ok()) st = w->Init();
    }
    if (st.ok()) {
      st = workers_[0]->Listen(fd);  // worker 0 owns fd from here on
    } else {
      ::close(fd);
    }
    if (!st.ok()) {
      workers_.clear();
      return st;
    }
    for (auto& w : workers_) {
      Worker* p = w.get();
      threads_.emplace_back([p] {
        p->set_thread_id(std::this_thread::get_id());
        p->Run();
      });
    }
    started_ = true;
    return Status::Ok();
  }

  void StopAccepting() {
    if (!started_ || accepting_stopped_.exchange(true)) return;
    workers_[0]->DropListener();
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
    if (!started_ || stopped_.exchange(true)) return;
    StopAccepting();
    WaitIdle(std::chrono::seconds(10));
    for (auto& w : workers_) w->Stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    workers_.clear();
  }

  uint16_t port() const { return port_; }

 private:
  std::unique_ptr<ServerShared> shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  bool started_ = false;
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
