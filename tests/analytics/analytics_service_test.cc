// The consumer over a real embedded stream: snapshot + resume is exact, and
// the HTTP API (auth, routes, SSE) over loopback.
#include "analytics/analytics_service.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <future>
#include <istream>

#include "analytics/kpi_api.h"
#include "http/http_server.h"
#include "http/router.h"
#include "kpi_test_util.h"
#include "stream/local/local_stream.h"

namespace mailpulse {
namespace {

using testing::kMin;
using testing::kT0;
using testing::Record;

class AnalyticsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-analytics-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    OpenStream();
  }
  void TearDown() override {
    stream_.reset();
    std::filesystem::remove_all(root_);
  }
  void OpenStream() {
    stream_.reset();
    LocalStreamOptions o;
    o.dir = root_ + "/stream";
    o.shards = 2;
    o.retention_seconds = 0;
    auto s = LocalStream::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    stream_ = std::move(*s);
  }
  void Append(const std::string& msg, const std::string& record) {
    ShardId shard = stream_->ShardFor(msg);
    std::promise<Status> done;
    stream_->Append(shard, {AppendRecord{msg, record, 0}},
                    [&](const Status& st, SequenceNumber, SequenceNumber) { done.set_value(st); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  AnalyticsOptions Options() {
    AnalyticsOptions o;
    o.snapshot_path = root_ + "/analytics/kpi.snapshot";
    return o;
  }
  std::unique_ptr<AnalyticsService> OpenService() {
    auto s = AnalyticsService::Open(stream_.get(), Options());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static KpiCounters Totals(AnalyticsService& s, const std::string& id = "ss1") {
    KpiCounters k;
    s.Read([&](const KpiStore& st) {
      if (const CampaignState* c = st.Find(id)) k = c->total;
    });
    return k;
  }
  // Messages m0..m(n-1): processed, delivered, two opens, one click.
  void AppendTraffic(int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string m = "m" + std::to_string(i);
      Append(m, Record("processed", m, kT0));
      Append(m, Record("delivered", m, kT0 + 1));
      Append(m, Record("open", m, kT0 + kMin));
      Append(m, Record("open", m, kT0 + 2 * kMin));
      Append(m, Record("click", m, kT0 + 3 * kMin, R"(,"singlesend_id":"ss1","url":"https://x")"));
    }
  }
  static void ExpectTraffic(const KpiCounters& k, int n) {
    EXPECT_EQ(k[Kpi::kProcessed], n);
    EXPECT_EQ(k[Kpi::kDelivered], n);
    EXPECT_EQ(k[Kpi::kOpens], 2 * n);
    EXPECT_EQ(k[Kpi::kUniqueOpens], n);
    EXPECT_EQ(k[Kpi::kClicks], n);
    EXPECT_EQ(k[Kpi::kUniqueClicks], n);
  }

  std::string root_;
  std::unique_ptr<LocalStream> stream_;
};

TEST_F(AnalyticsServiceTest, SpilledStateSurvivesACrashExactly) {
  AnalyticsOptions o = Options();
  o.store.message_memory_bytes = 64 * 1024;  // ~768 messages in RAM
  o.spill_dir = root_ + "/analytics/spill";
  auto open = [&] {
    auto s = AnalyticsService::Open(stream_.get(), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  };
  AppendTraffic(0, 1200);
  {
    auto s = open();
    ASSERT_TRUE(s->CatchUp().ok());
    ExpectTraffic(Totals(*s), 1200);
    ASSERT_TRUE(s->Snapshot().ok());
    s->Read([](const KpiStore& st) { EXPECT_GT(st.messages().spilled(), 0u); });
  }
  // The same messages again (a late open and click each) and new ones, then
  // a crash after applying them: the restart must count each record once.
  for (int i = 0; i < 1200; i += 3) {
    std::string m = "m" + std::to_string(i);
    Append(m, Record("delivered", m, kT0 + 1));  // a duplicate: once per message
    Append(m, Record("open", m, kT0 + 5 * kMin));
  }
  AppendTraffic(1200, 1500);
  {
    auto s = open();
    ASSERT_TRUE(s->CatchUp().ok());
  }
  OpenStream();
  auto s = open();
  ASSERT_TRUE(s->CatchUp().ok());
  KpiCounters k = Totals(*s);
  EXPECT_EQ(k[Kpi::kProcessed], 1500);
  EXPECT_EQ(k[Kpi::kDelivered], 1500);
  EXPECT_EQ(k[Kpi::kOpens], 2 * 1500 + 400);
  EXPECT_EQ(k[Kpi::kUniqueOpens], 1500);
  EXPECT_EQ(k[Kpi::kUniqueClicks], 1500);
  s->Read([](const KpiStore& st) {
    EXPECT_GT(st.messages().disk_hits(), 0u);
    EXPECT_TRUE(st.status().ok());
  });
}

TEST_F(AnalyticsServiceTest, SnapshotThenResumeCountsEveryRecordOnce) {
  AppendTraffic(0, 10);
  {
    auto s = OpenService();
    ASSERT_TRUE(s->CatchUp().ok());
    ExpectTraffic(Totals(*s), 10);
    ASSERT_TRUE(s->Snapshot().ok());
  }
  AppendTraffic(10, 15);
  {
    auto s = OpenService();
    ExpectTraffic(Totals(*s), 10);  // the snapshot alone
    ASSERT_TRUE(s->CatchUp().ok());
    ExpectTraffic(Totals(*s), 15);
    // "Crash": no snapshot of what was applied since.
  }
  OpenStream();  // and the stream reopened, as after a restart
  {
    auto s = OpenService();
    ASSERT_TRUE(s->CatchUp().ok());
    ExpectTraffic(Totals(*s), 15);
    auto cp = stream_->LoadCheckpoint(kAnalyticsConsumer, ShardId(0));
    ASSERT_TRUE(cp.ok()) << "checkpoint saved with the snapshot";
  }
}

TEST_F(AnalyticsServiceTest, ThreadAppliesLiveAndStopSnapshots) {
  auto s = OpenService();
  s->Start();
  AppendTraffic(0, 3);
  for (int i = 0; i < 500 && Totals(*s)[Kpi::kClicks] < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(s->Stop().ok());
  ExpectTraffic(Totals(*s), 3);
  auto again = OpenService();
  ExpectTraffic(Totals(*again), 3);
}

TEST_F(AnalyticsServiceTest, UndecodableRecordsAreSkippedNotFatal) {
  Append("m1", "garbage");
  Append("m1", Record("delivered", "m1", kT0));
  auto s = OpenService();
  ASSERT_TRUE(s->CatchUp().ok());
  EXPECT_EQ(s->skipped(), 1u);
  EXPECT_EQ(Totals(*s)[Kpi::kDelivered], 1);
}

TEST_F(AnalyticsServiceTest, SnapshotNamingAShardTheStreamNeverHadIsRefused) {
  // A snapshot taken on a 3-shard stream holds a position on shard 2 ...
  LocalStreamOptions o;
  o.dir = root_ + "/stream3";
  o.shards = 3;
  auto three = LocalStream::Open(o);
  ASSERT_TRUE(three.ok());
  for (int i = 0; i < 30; ++i) {
    std::string msg = "m" + std::to_string(i);
    std::string record = Record("delivered", msg, kT0);  // alive until the append is done
    std::promise<Status> done;
    (*three)->Append((*three)->ShardFor(msg), {AppendRecord{msg, record, 0}},
                     [&](const Status& st, SequenceNumber, SequenceNumber) { done.set_value(st); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  {
    auto s = AnalyticsService::Open(three->get(), Options());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->CatchUp().ok());
    ASSERT_TRUE((*s)->Snapshot().ok());
  }
  // ... which the 2-shard stream never had: refused, not silently mixed.
  auto s = AnalyticsService::Open(stream_.get(), Options());
  EXPECT_EQ(s.status().kind(), ErrorKind::kFail);
  EXPECT_NE(s.status().message().find("shard 2"), std::string::npos) << s.status().message();
}

// ---- HTTP API --------------------------------------------------------------

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class KpiApiHttpTest : public AnalyticsServiceTest {
 protected:
  void SetUp() override {
    AnalyticsServiceTest::SetUp();
    Append("m1", Record("delivered", "m1", kT0));
    Append("m1", Record("click", "m1", kT0, R"(,"singlesend_id":"a/b","url":"https://x")"));
    service_ = OpenService();
    ASSERT_TRUE(service_->CatchUp().ok());
    api_ = std::make_unique<KpiApi>(service_.get(), KpiApiOptions{"s3cret", 20, 15'000});
    api_->Register(router_);
    HttpServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    server_ = std::make_unique<HttpServer>(o, &router_, nullptr);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    server_->Stop();
    AnalyticsServiceTest::TearDown();
  }
  // Sends a GET and returns everything read until `until` appears or the peer closes.
  std::string Get(const std::string& target, const std::string& token,
                  const std::string& until = "") {
    asio::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    req += "\r\n";
    asio::write(s, asio::buffer(req));
    std::string got;
    char buf[4096];
    boost::system::error_code ec;
    while (!ec) {
      size_t n = s.read_some(asio::buffer(buf), ec);
      got.append(buf, n);
      if (!until.empty() && got.find(until) != std::string::npos) break;
    }
    return got;
  }

  std::unique_ptr<AnalyticsService> service_;
  std::unique_ptr<KpiApi> api_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(KpiApiHttpTest, BearerTokenRequired) {
  std::string r = Get("/v1/campaigns", "");
  EXPECT_NE(r.find("HTTP/1.1 401"), std::string::npos) << r;
  EXPECT_NE(r.find(R"({"error":"missing bearer token"})"), std::string::npos) << r;
  EXPECT_NE(Get("/v1/campaigns", "wrong").find("HTTP/1.1 401"), std::string::npos);
  r = Get("/v1/campaigns", "s3cret");
  EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("id":"ss1")"), std::string::npos) << r;
  EXPECT_NE(Get("/v1/openapi.json", "").find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(KpiApiHttpTest, CampaignDetailLinksAndErrors) {
  std::string r = Get("/v1/campaigns/ss1?granularity=day", "s3cret");
  EXPECT_NE(r.find(R"("granularity":"day","series":[{"start":"2026-01-01T00:00:00Z")"),
            std::string::npos)
      << r;
  r = Get("/v1/campaigns/a%2Fb/links", "s3cret");
  EXPECT_NE(r.find(R"({"id":"a/b","links":[{"url":"https://x","clicks":1,"unique_clicks":1}]})"),
            std::string::npos)
      << r;
  EXPECT_NE(Get("/v1/campaigns/nope", "s3cret").find("HTTP/1.1 404"), std::string::npos);
  EXPECT_NE(Get("/v1/campaigns/ss1?granularity=week", "s3cret").find("HTTP/1.1 400"),
            std::string::npos);
  EXPECT_NE(Get("/v1/campaigns?since=tomorrow", "s3cret").find("HTTP/1.1 400"), std::string::npos);
  r = Get("/v1/campaigns?since=2026-01-02", "s3cret");
  EXPECT_NE(r.find(R"("id":"ss1","name":"Spring","processed":0,"delivered":0)"), std::string::npos)
      << r;
}

TEST_F(KpiApiHttpTest, LiveStreamsServerSentEvents) {
  std::string r = Get("/v1/live", "s3cret", "\n\n");
  EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos) << r;
  EXPECT_NE(r.find("Content-Type: text/event-stream"), std::string::npos) << r;
  EXPECT_NE(r.find("event: campaigns\ndata: {\"version\":"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("id":"ss1")"), std::string::npos) << r;
}

}  // namespace
}  // namespace mailpulse
