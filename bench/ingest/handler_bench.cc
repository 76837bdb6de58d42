// CPU cost of the webhook handler alone: parse, validate, dedupe, enrich and
// group by shard, for SendGrid-shaped 100-event bodies (the same template as
// the wrk bench), with no HTTP server and a stream that acknowledges at once.
// Separates the handler's share of a request from the HTTP layer's and the
// log's in the ingest bench (docs/benchmarks.md, "Where the time goes").
//
// Built by `cmake -DMAILPULSE_BENCH=ON` (make bench); run:
//   build/handler_bench [template=bench/ingest/events.template.jsonl] [requests=20000] [batch=100]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"
#include "ingest/webhook_handler.h"

using namespace mailpulse;

namespace {

// A stream that takes every append at once: the handler's cost alone.
class AckStream final : public Stream {
 public:
  explicit AckStream(uint32_t shards) : shards_(shards) {}
  uint32_t shard_count() const override { return shards_; }
  void Append(ShardId, std::vector<AppendRecord> records, AppendCallback done) override {
    records_ += records.size();
    done(Status::Ok(), SequenceNumber(1), SequenceNumber(records.size()));
  }
  Result<std::unique_ptr<StreamReader>> OpenReader(ShardId, StartPosition) override {
    return Status::Fail("not readable");
  }
  Status SaveCheckpoint(std::string_view, ShardId, SequenceNumber) override { return Status::Ok(); }
  Result<SequenceNumber> LoadCheckpoint(std::string_view, ShardId) override {
    return Status::NotFound("none");
  }
  std::vector<ShardInfo> Describe() override { return {}; }
  void Close() override {}
  uint64_t records_ = 0;

 private:
  uint32_t shards_;
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "bench/ingest/events.template.jsonl";
  int requests = argc > 2 ? std::atoi(argv[2]) : 20000;
  int batch = argc > 3 ? std::atoi(argv[3]) : 100;
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return 1;
  }
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  const int64_t t_sec = Clock::System().NowMillis() / 1000 - 300;
  // 256 distinct body templates; every request gets its own prefix.
  std::vector<std::string> bodies;
  for (int b = 0; b < requests; ++b) {
    std::string body = "[";
    for (int i = 0; i < batch; ++i) {
      std::string e = lines[static_cast<size_t>(i) % lines.size()];
      e = Replace(e, "@N@", std::to_string(i + 1));
      e = Replace(e, "@M@", std::to_string(i / 4 + 1));
      e = Replace(e, "@T@", std::to_string(t_sec));
      e = Replace(e, "@P@", "b" + std::to_string(b) + "x");
      body += (i == 0 ? "" : ",\r\n") + e;
    }
    body += "]\r\n";
    bodies.push_back(std::move(body));
  }

  MetricsRegistry metrics;
  IngestProbe probe(metrics);
  AckStream events(4), errors(1);
  std::vector<std::unique_ptr<DedupeIndex>> dedupe;
  for (int i = 0; i < 4; ++i) dedupe.push_back(std::make_unique<DedupeIndex>(DedupeOptions{}));
  WebhookHandlerOptions options;
  options.allow_unsigned = true;
  std::vector<WebhookEndpoint> endpoints(1);
  endpoints[0].name = "default";
  WebhookHandler handler(options, std::move(endpoints), *WebhookAuth::Create("", {}), &events, &errors, &dedupe,
                         &Clock::System(), &probe);

  size_t body_bytes = 0, ok = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < requests; ++r) {
    HttpRequest req;
    req.method = "POST";
    req.path = req.target = "/v1/webhooks/sendgrid";
    req.header = [](std::string_view name) -> std::string_view {
      return name == "Content-Type" ? "application/json" : "";
    };
    req.body = std::move(bodies[static_cast<size_t>(r)]);
    body_bytes += req.body.size();
    handler.Handle(std::move(req), [&ok](HttpResponse resp) { ok += resp.status == 200; });
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "requests=%d ok=%zu events=%llu body_MB=%.1f seconds=%.3f us_per_request=%.1f "
      "us_per_event=%.3f events_per_s=%.0f\n",
      requests, ok, static_cast<unsigned long long>(events.records_), body_bytes / 1e6, secs,
      secs * 1e6 / requests, secs * 1e6 / (static_cast<double>(requests) * batch),
      static_cast<double>(requests) * batch / secs);
  return ok == static_cast<size_t>(requests) ? 0 : 1;
}
