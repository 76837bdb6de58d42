#include "query/query_api.h"

#include <spdlog/spdlog.h>

#include "analytics/kpi_json.h"  // ParseTimeParam
#include "common/json_escape.h"
#include "http/bearer_auth.h"
#include "http/query_params.h"

namespace mailpulse {

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
    : opt_(std::move(options)), lake_(lake), streams_(opt_.streaming) {
  route_ = std::make_unique<FunctionHandlerRoute>(
      [this](HttpRequest req, Responder respond) { Handle(std::move(req), std::move(respond)); });
}

QueryApi::~QueryApi() = default;

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

  const query::OutputFormat output = spec.output;
  streams_.Start(
      std::move(respond), [this, q = std::shared_ptr<query::LakeQuery>(std::move(*prepared)),
                           output](StreamProducer& out) {
        out.Begin(output == query::OutputFormat::kCsv ? "text/csv; charset=utf-8"
                                                      : "application/x-ndjson");
        Result<query::ScanStats> stats = q->Run(
            *lake_, [&out](std::string_view s) { out.Write(s); }, out.cancel_flag());
        if (stats.ok() || out.cancelled()) return;
        spdlog::info("query failed after {} records: {}", q->records(), stats.status().message());
        std::string line;
        if (output == query::OutputFormat::kCsv) {
          line = "error: " + stats.status().message() + "\n";
        } else {
          line = "{\"error\":";
          AppendJsonString(line, stats.status().message());
          line += "}\n";
        }
        out.Write(line);
      });
}

}  // namespace mailpulse
