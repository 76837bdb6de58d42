#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "ingest/signature.h"
#include "sim/http_client.h"

namespace mailpulse {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// A minimal webhook receiver: verifies signatures, fails the first
// `fail_first` requests (odd ones with 503, even ones by dropping the
// connection without an answer, like a crashed server), then answers 200.
class FakeReceiver {
 public:
  FakeReceiver(std::string public_key, int fail_first, bool always_fail = false)
      : verifier_(SignatureVerifier::FromBase64Key(public_key).value()),
        fail_first_(fail_first),
        always_fail_(always_fail),
        acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeReceiver() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
    for (std::thread& t : sessions_) t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  std::mutex mu;
  std::vector<std::string> accepted_bodies;
  int requests = 0;
  int bad_signatures = 0;
  std::vector<std::string> user_agents, content_types, targets;

 private:
  void AcceptLoop() {
    for (;;) {
      tcp::socket s(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (stopping_ || ec) return;
      sessions_.emplace_back([this, sock = std::move(s)]() mutable { Session(std::move(sock)); });
    }
  }

  void Session(tcp::socket sock) {
    boost::beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(sock, buf, req, ec);
      if (ec) return;
      int n;
      {
        std::lock_guard lock(mu);
        n = ++requests;
        user_agents.emplace_back(req[http::field::user_agent]);
        content_types.emplace_back(req[http::field::content_type]);
        targets.emplace_back(req.target());
      }
      bool fail = always_fail_ || n <= fail_first_;
      if (fail && n % 2 == 0) return;  // drop the connection, no answer
      http::response<http::string_body> res;
      res.version(11);
      res.keep_alive(true);
      if (fail) {
        res.result(http::status::service_unavailable);
        res.body() = "{\"error\":\"stream unavailable\"}";
      } else {
        Status st = verifier_.Verify(std::string(req[kTimestampHeader]), req.body(),
                                     std::string(req[kSignatureHeader]));
        std::lock_guard lock(mu);
        if (!st.ok()) {
          ++bad_signatures;
          res.result(http::status::forbidden);
        } else {
          res.result(http::status::ok);
          accepted_bodies.push_back(req.body());
          res.body() = "{\"accepted\":7,\"duplicates\":2,\"rejected\":1}";
        }
      }
      res.prepare_payload();
      http::write(sock, res, ec);
      if (ec) return;
    }
  }

  SignatureVerifier verifier_;
  int fail_first_;
  bool always_fail_;
  std::atomic<bool> stopping_{false};
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::thread> sessions_;
};

TrafficOptions Tiny() {
  TrafficOptions t;
  t.seed = 7;
  t.total_events = 200;
  t.batch_size = 40;
  t.duplicate_fraction = 0;
  return t;
}

TEST(SimulatorTest, UrlParsing) {
  HttpUrl u = HttpUrl::Parse("http://user:pw@localhost:8080/v1/webhooks/sendgrid?x=1").value();
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, "8080");
  EXPECT_EQ(u.target, "/v1/webhooks/sendgrid?x=1");
  EXPECT_EQ(u.user_info, "user:pw");
  HttpUrl d = HttpUrl::Parse("http://example.com").value();
  EXPECT_EQ(d.port, "80");
  EXPECT_EQ(d.target, "/");
  HttpUrl v6 = HttpUrl::Parse("http://[::1]:9000/x").value();
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "9000");
  EXPECT_EQ(HttpUrl::Parse("https://example.com/").status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(HttpUrl::Parse("http://:80/").status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(HttpUrl::Parse("http://h:8x/").status().kind(), ErrorKind::kInvalid);
}

TEST(SimulatorTest, SignsAndRetriesUntilAccepted) {
  KeyPair keys = GenerateKeyPair().value();
  FakeReceiver server(keys.public_base64, /*fail_first=*/4);
  SimulatorOptions o;
  o.url = server.url();
  o.signer = Signer::FromPrivatePem(keys.private_pem).value();
  o.rate = 0;
  o.connections = 2;
  o.retry_for_seconds = 30;
  TrafficGenerator gen(Tiny());
  SimulatorSummary s = RunSimulation(o, gen, nullptr).value();

  EXPECT_TRUE(s.all_accepted());
  EXPECT_EQ(s.batches, 5);
  EXPECT_EQ(s.events_sent, 200);
  EXPECT_EQ(s.batches_accepted, 5);
  EXPECT_EQ(s.batches_failed, 0);
  // Four failed exchanges; a dropped connection on a reused keep-alive
  // connection is retried once inside the client before counting.
  EXPECT_GE(s.retries, 2);
  EXPECT_LE(s.retries, 4);
  EXPECT_EQ(s.server_accepted, 5 * 7);
  EXPECT_EQ(s.server_duplicates, 5 * 2);
  EXPECT_EQ(s.server_rejected, 5 * 1);
  std::lock_guard lock(server.mu);
  EXPECT_EQ(server.bad_signatures, 0);
  EXPECT_EQ(server.accepted_bodies.size(), 5u);
  for (const std::string& ua : server.user_agents) EXPECT_EQ(ua, "SendGrid Event API");
  for (const std::string& ct : server.content_types) EXPECT_EQ(ct, "application/json");
  for (const std::string& t : server.targets) EXPECT_EQ(t, "/hook");
}

TEST(SimulatorTest, GivesUpAfterRetryFor) {
  KeyPair keys = GenerateKeyPair().value();
  FakeReceiver server(keys.public_base64, 0, /*always_fail=*/true);
  SimulatorOptions o;
  o.url = server.url();
  o.signer = Signer::FromPrivatePem(keys.private_pem).value();
  o.rate = 0;
  o.connections = 1;
  o.retry_for_seconds = 0.3;
  TrafficOptions t = Tiny();
  t.total_events = 40;  // one batch
  TrafficGenerator gen(t);
  SimulatorSummary s = RunSimulation(o, gen, nullptr).value();
  EXPECT_FALSE(s.all_accepted());
  EXPECT_EQ(s.batches, 1);
  EXPECT_EQ(s.batches_failed, 1);
  EXPECT_GE(s.retries, 1);
}

TEST(SimulatorTest, UnreachableServerIsRetriedThenFails) {
  SimulatorOptions o;
  o.url = "http://127.0.0.1:1/hook";  // nothing listens on port 1
  o.rate = 0;
  o.retry_for_seconds = 0.2;
  TrafficOptions t = Tiny();
  t.total_events = 10;
  TrafficGenerator gen(t);
  SimulatorSummary s = RunSimulation(o, gen, nullptr).value();
  EXPECT_EQ(s.batches_failed, 1);
  EXPECT_FALSE(s.all_accepted());
}

}  // namespace
}  // namespace mailpulse
