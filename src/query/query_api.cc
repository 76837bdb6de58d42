#include "query/query_api.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <thread>

#include "analytics/kpi_api.h"   // QueryParam
#include "analytics/kpi_json.h"  // ParseTimeParam
#include "common/json_escape.h"
#include "http/bearer_auth.h"

namespace mailpulse {

// The hand-off between a query thread (producer) and the HTTP server's
// stream polls (consumer).
struct QueryApi::Run {
  std::mutex mu;
  std::condition_variable space_cv;
  std::deque<std::string> chunks;
  size_t bytes = 0;
  bool finished = false;
  std::atomic<bool> cancelled{false};
};

namespace {

class Route final : public RouteHandler {
 public:
  explicit Route(std::function<void(HttpRequest, Responder)> fn) : fn_(std::move(fn)) {}
  void Handle(HttpRequest req, Responder respond) override {
    fn_(std::move(req), std::move(respond));
  }

 private:
  std::function<void(HttpRequest, Responder)> fn_;
};

// Cancels the run when the response's poll function is destroyed (the
// stream ended, the client went away, or the server stopped).
struct CancelOnDrop {
  std::shared_ptr<QueryApi::Run> run;
  ~CancelOnDrop() {
    if (!run) return;
    std::lock_guard lock(run->mu);
    run->cancelled.store(true);
    run->space_cv.notify_all();
  }
};

HttpResponse ErrorFor(const Status& st) {
  switch (st.kind()) {
    case ErrorKind::kInvalid:
      return HttpResponse::Error(400, st.message());
    case ErrorKind::kNotFound:
      return HttpResponse::Error(404, st.message());
    default:
      return HttpResponse::Error(500, st.message());
  }
}

}  // namespace

QueryApi::QueryApi(QueryApiOptions options, ObjectStore* lake)
    : opt_(std::move(options)), lake_(lake) {
  route_ = std::make_unique<Route>(
      [this](HttpRequest req, Responder respond) { Handle(std::move(req), std::move(respond)); });
}

QueryApi::~QueryApi() {
  std::unique_lock lock(mu_);
  for (auto& run : runs_) {
    std::lock_guard rl(run->mu);
    run->cancelled.store(true);
    run->space_cv.notify_all();
  }
  idle_cv_.wait(lock, [this] { return running_ == 0; });
}

void QueryApi::Register(Router& router) { router.Add("POST", "/v1/query", route_.get()); }

void QueryApi::Handle(HttpRequest req, Responder respond) {
  if (auto refused = RequireBearerToken(req, opt_.api_token)) return respond(std::move(*refused));
  if (req.body.size() > query::kMaxQueryBytes) {
    return respond(HttpResponse::Error(413, "query longer than 256 KiB (S3 Select's limit)"));
  }
  query::LakeQuerySpec spec;
  spec.sql = req.body;
  if (auto o = QueryParam(req.query, "output")) {
    if (*o == "table") return respond(HttpResponse::Error(400, "output must be json or csv"));
    Result<query::OutputFormat> f = query::ParseOutputFormat(*o);
    if (!f.ok()) return respond(HttpResponse::Error(400, "output must be json or csv"));
    spec.output = *f;
  }
  if (auto p = QueryParam(req.query, "prefix")) spec.prefix = *p;
  for (auto [name, out] : {std::pair{"since", &spec.since}, std::pair{"until", &spec.until}}) {
    if (auto t = QueryParam(req.query, name)) {
      Result<UnixMillis> ms = ParseTimeParam(*t);
      if (!ms.ok())
        return respond(HttpResponse::Error(400, std::string(name) + ": " + ms.status().message()));
      *out = *ms;
    }
  }
  Result<std::unique_ptr<query::LakeQuery>> prepared =
      query::LakeQuery::Prepare(spec, opt_.query, Clock::System().NowMillis());
  if (!prepared.ok()) return respond(ErrorFor(prepared.status()));

  auto run = std::make_shared<Run>();
  {
    std::lock_guard lock(mu_);
    ++running_;
    runs_.push_back(run);
  }
  std::thread([this, run, q = std::shared_ptr<query::LakeQuery>(std::move(*prepared)),
               output = spec.output] {
    auto push = [&run, this](std::string chunk) {
      std::unique_lock lock(run->mu);
      run->space_cv.wait(
          lock, [&] { return run->cancelled.load() || run->bytes < opt_.max_buffered_bytes; });
      if (run->cancelled.load()) return;
      run->bytes += chunk.size();
      run->chunks.push_back(std::move(chunk));
    };
    Result<query::ScanStats> stats = q->Run(
        *lake_, [&push](std::string_view s) { push(std::string(s)); }, &run->cancelled);
    if (!stats.ok() && !run->cancelled.load()) {
      spdlog::info("query failed after {} records: {}", q->records(), stats.status().message());
      std::string line = "{\"error\":";
      AppendJsonString(line, stats.status().message());
      line += "}\n";
      if (output == query::OutputFormat::kCsv) line = "error: " + stats.status().message() + "\n";
      push(std::move(line));
    }
    {
      std::lock_guard lock(run->mu);
      run->finished = true;
    }
    std::lock_guard lock(mu_);
    std::erase(runs_, run);
    --running_;
    idle_cv_.notify_all();
  }).detach();

  HttpResponse r;
  r.content_type =
      spec.output == query::OutputFormat::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson";
  r.stream_interval_ms = opt_.poll_interval_ms;
  auto drop = std::make_shared<CancelOnDrop>();
  drop->run = run;
  r.stream_poll = [run, drop]() -> std::optional<std::string> {
    std::lock_guard lock(run->mu);
    if (run->chunks.empty()) {
      if (run->finished) return std::nullopt;
      return std::string();
    }
    std::string out;
    while (!run->chunks.empty() && out.size() < (1u << 20)) {
      out += run->chunks.front();
      run->bytes -= run->chunks.front().size();
      run->chunks.pop_front();
    }
    run->space_cv.notify_all();
    return out;
  };
  respond(std::move(r));
}

}  // namespace mailpulse
