// The HTTP server over real loopback sockets.
#include "http/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

#include "http/router.h"

namespace mailpulse {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Answers from another thread after a short wait, like ingest does after fsync.
class DelayedEcho final : public RouteHandler {
 public:
  void Handle(HttpRequest req, Responder respond) override {
    std::thread([req = std::move(req), respond = std::move(respond)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      respond(HttpResponse::Json(200, "{\"bytes\":" + std::to_string(req.body.size()) +
                                          ",\"param\":\"" +
                                          (req.params.empty() ? "" : req.params[0]) + "\"}"));
    }).detach();
  }
};

class RefuseTextPlain final : public RouteHandler {
 public:
  std::optional<HttpResponse> Precheck(const HttpRequest& req) override {
    if (req.header("Content-Type") == "text/plain") return HttpResponse::Error(415, "no text");
    return std::nullopt;
  }
  void Handle(HttpRequest, Responder respond) override { respond(HttpResponse::Json(200, "{}")); }
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("POST", "/echo", &echo_);
    router_.Add("POST", "/echo/{name}", &echo_);
    router_.Add("POST", "/strict", &strict_);
    HttpServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.max_body_bytes = 1024;
    o.header_timeout_seconds = 1;
    server_ = std::make_unique<HttpServer>(o, &router_, &metrics_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  tcp::socket Connect() {
    tcp::socket s(ioc_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return s;
  }

  http::response<http::string_body> Exchange(tcp::socket& s, http::request<http::string_body> req) {
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return res;
  }

  static http::request<http::string_body> Post(std::string target, std::string body,
                                               std::string type = "application/json") {
    http::request<http::string_body> r{http::verb::post, target, 11};
    r.set(http::field::host, "localhost");
    r.set(http::field::content_type, type);
    r.body() = std::move(body);
    return r;
  }

  asio::io_context ioc_;
  MetricsRegistry metrics_;
  Router router_;
  DelayedEcho echo_;
  RefuseTextPlain strict_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  tcp::socket s = Connect();
  for (int i = 0; i < 5; ++i) {
    auto res = Exchange(s, Post("/echo", std::string(10 * i, 'x')));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "{\"bytes\":" + std::to_string(10 * i) + ",\"param\":\"\"}");
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_NE(metrics_.RenderPrometheus().find(
                "mailpulse_http_requests_total{route=\"/echo\",status=\"200\"} 5"),
            std::string::npos);
}

TEST_F(HttpServerTest, PathParameter) {
  tcp::socket s = Connect();
  auto res = Exchange(s, Post("/echo/marketing", "{}"));
  EXPECT_EQ(res.body(), "{\"bytes\":2,\"param\":\"marketing\"}");
}

TEST_F(HttpServerTest, UnknownPathAndWrongMethodAreJson) {
  tcp::socket s = Connect();
  auto res = Exchange(s, Post("/nope", "{}"));
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), "{\"error\":\"no route for /nope\"}");
  tcp::socket s2 = Connect();
  http::request<http::string_body> get{http::verb::get, "/echo", 11};
  get.set(http::field::host, "localhost");
  auto res2 = Exchange(s2, get);
  EXPECT_EQ(res2.result_int(), 405);
  EXPECT_EQ(res2[http::field::content_type], "application/json");
}

TEST_F(HttpServerTest, DeclaredBodyOverLimitIs413BeforeReading) {
  tcp::socket s = Connect();
  auto res = Exchange(s, Post("/echo", std::string(2000, 'x')));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res.body(), "{\"error\":\"body of 2000 bytes exceeds the limit of 1024 bytes\"}");
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  tcp::socket s = Connect();
  std::string raw =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
      "chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "200\r\n" + std::string(512, 'y') + "\r\n";
  raw += "0\r\n\r\n";
  asio::write(s, asio::buffer(raw));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  EXPECT_EQ(res.result_int(), 413);
}

TEST_F(HttpServerTest, PrecheckRefusesWithoutReadingTheBody) {
  tcp::socket s = Connect();
  auto res = Exchange(s, Post("/strict", "hello", "text/plain"));
  EXPECT_EQ(res.result_int(), 415);
  EXPECT_EQ(res.body(), "{\"error\":\"no text\"}");
}

TEST_F(HttpServerTest, IdleConnectionIsClosedAfterHeaderTimeout) {
  tcp::socket s = Connect();
  char byte;
  beast::error_code ec;
  s.read_some(asio::buffer(&byte, 1), ec);  // blocks until the server closes it
  EXPECT_EQ(ec, asio::error::eof);
  // Beast closes the socket when the timer fires, before the read handler
  // that counts it runs: wait for the handler, not for a duration.
  bool counted = false;
  for (int i = 0; i < 500 && !counted; ++i) {
    counted =
        metrics_.RenderPrometheus().find("mailpulse_http_timeouts_total 1") != std::string::npos;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(counted);
}

TEST_F(HttpServerTest, ManyConcurrentConnections) {
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int c = 0; c < 32; ++c) {
    clients.emplace_back([&] {
      asio::io_context ioc;
      tcp::socket s(ioc);
      s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
      for (int i = 0; i < 10; ++i) {
        auto req = Post("/echo", "[1,2,3]");
        req.prepare_payload();
        http::write(s, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        if (res.result_int() == 200) ok++;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 320);
}

// Reads from a raw socket until `n` responses' worth of bytes ending in a
// complete body have arrived: enough for the small JSON answers used here.
std::string ReadResponses(tcp::socket& s, int n) {
  std::string all;
  beast::flat_buffer buf;
  for (int i = 0; i < n; ++i) {
    http::response<http::string_body> res;
    http::read(s, buf, res);
    all += std::to_string(res.result_int()) + " " + res.body() + "\n";
  }
  return all;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  tcp::socket s = Connect();
  std::string raw;
  for (int i = 1; i <= 3; ++i) {
    std::string body(static_cast<size_t>(i), 'x');
    raw += "POST /echo/p" + std::to_string(i) +
           " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  asio::write(s, asio::buffer(raw));  // all three in one write
  EXPECT_EQ(ReadResponses(s, 3),
            "200 {\"bytes\":1,\"param\":\"p1\"}\n200 {\"bytes\":2,\"param\":\"p2\"}\n"
            "200 {\"bytes\":3,\"param\":\"p3\"}\n");
}

TEST_F(HttpServerTest, BodyArrivingInSmallPiecesIsReadWhole) {
  tcp::socket s = Connect();
  std::string body(900, 'z');
  std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 900\r\n\r\n" +
                    body;
  for (size_t i = 0; i < raw.size(); i += 97) {
    asio::write(s, asio::buffer(raw.data() + i, std::min<size_t>(97, raw.size() - i)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ReadResponses(s, 1), "200 {\"bytes\":900,\"param\":\"\"}\n");
}

TEST_F(HttpServerTest, ChunkedBodyUnderLimitIsReassembled) {
  tcp::socket s = Connect();
  std::string raw =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
      "chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "64\r\n" + std::string(100, 'c') + "\r\n";
  raw += "0\r\n\r\n";
  asio::write(s, asio::buffer(raw));
  EXPECT_EQ(ReadResponses(s, 1), "200 {\"bytes\":300,\"param\":\"\"}\n");
}

TEST_F(HttpServerTest, MalformedRequestIs400WithJsonReasonAndClose) {
  tcp::socket s = Connect();
  asio::write(s, asio::buffer(std::string("POST /echo HTTP/1.1\r\nBad Header Line\r\n\r\n")));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res.body().rfind("{\"error\":\"malformed HTTP request: ", 0), 0u) << res.body();
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
  tcp::socket s = Connect();
  asio::write(s, asio::buffer(std::string(
                     "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 4\r\nExpect: 100-continue\r\n\r\n")));
  std::string interim(25, '\0');
  asio::read(s, asio::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(s, asio::buffer(std::string("[1,2")));
  EXPECT_EQ(ReadResponses(s, 1), "200 {\"bytes\":4,\"param\":\"\"}\n");
}

TEST_F(HttpServerTest, StopWithOpenIdleConnectionsReturns) {
  tcp::socket a = Connect(), b = Connect();
  auto res = Exchange(a, Post("/echo", "{}"));
  EXPECT_EQ(res.result_int(), 200);
  server_->Stop();  // TearDown's second Stop is a no-op
  char byte;
  beast::error_code ec;
  b.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

}  // namespace
}  // namespace mailpulse
