#include "query/s3select/select_api.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "delivery/encoder.h"
#include "http/query_params.h"
#include "query/input.h"
#include "query/output.h"
#include "query/parser.h"
#include "query/s3select/event_stream.h"
#include "query/s3select/select_request.h"
#include "query/timestamp.h"
#include "storage/s3/sigv4.h"  // UriDecode
#include "storage/s3/sigv4_verify.h"

namespace mailpulse {
namespace {

HttpResponse XmlError(const S3SelectError& e, std::string_view resource) {
  HttpResponse r;
  r.status = e.http_status;
  r.content_type = "application/xml";
  r.body = S3ErrorXml(e, resource);
  return r;
}

// What mailpulse's readers and writers support of the request's options.
std::optional<S3SelectError> Unsupported(const SelectRequest& r) {
  auto no = [](std::string what) {
    return S3SelectError{400, "InvalidRequestParameter", what + " is not supported by mailpulse"};
  };
  const SelectCsvInput default_in;
  if (r.input == SelectRequest::Input::kCsv) {
    const SelectCsvInput& c = r.csv_input;
    if (c.field_delimiter != default_in.field_delimiter)
      return no("CSV FieldDelimiter other than ','");
    if (c.record_delimiter != "\n" && c.record_delimiter != "\r\n")
      return no("CSV RecordDelimiter other than \\n");
    if (c.quote != '"' || c.quote_escape != '"') return no("CSV quote characters other than '\"'");
    if (!c.comments.empty()) return no("CSV Comments");
  }
  if (r.output == SelectRequest::Output::kCsv) {
    const SelectCsvOutput& c = r.csv_output;
    if (c.quote_always) return no("QuoteFields ALWAYS");
    if (c.field_delimiter != ',' || c.record_delimiter != "\n" || c.quote != '"' ||
        c.quote_escape != '"')
      return no("CSV output other than S3 Select's defaults");
  }
  if (r.scan_range && (r.gzip || r.input != SelectRequest::Input::kJsonLines)) {
    return S3SelectError{400, "InvalidRequestParameter",
                         "ScanRange works on uncompressed JSON LINES here (S3: also simple CSV)"};
  }
  return std::nullopt;
}

// The whole lines of `text` that start within [start, end] (S3's ScanRange:
// a record that starts in the range is processed in full).
std::string_view ScanRangeOf(std::string_view text, uint64_t start, uint64_t end) {
  if (start >= text.size()) return {};
  size_t from = start;
  if (from > 0 && text[from - 1] != '\n') {
    size_t nl = text.find('\n', from);
    if (nl == std::string_view::npos) return {};
    from = nl + 1;
  }
  if (from > end || from >= text.size()) return {};
  size_t last_start = std::min<uint64_t>(end, text.size() - 1);
  size_t stop = text.find('\n', last_start);
  stop = stop == std::string_view::npos ? text.size() : stop + 1;
  return text.substr(from, stop - from);
}

// JSON Type=DOCUMENT: one or more JSON values, each possibly spanning lines.
Status ReadJsonDocuments(std::string_view text, const std::string& source,
                         const query::DocumentFn& fn) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::document_stream docs;
  if (auto error = parser.parse_many(padded).get(docs)) {
    return Status::Corruption(source + ": invalid JSON (" + simdjson::error_message(error) + ")");
  }
  bool stop = false;
  for (auto doc : docs) {
    simdjson::dom::element e;
    if (auto error = doc.get(e)) {
      return Status::Corruption(source + ": invalid JSON (" + simdjson::error_message(error) + ")");
    }
    MP_RETURN_IF_ERROR(fn(query::JsonToValue(e), &stop));
    if (stop) break;
  }
  return Status::Ok();
}

// Collects the formatted output and sends it as Records events.
class RecordsSink final : public query::RecordSink {
 public:
  RecordsSink(query::OutputFormat format, std::string json_delimiter, StreamProducer* out,
              int64_t max_rows)
      : writer_(
            format, [this](std::string_view s) { Append(s); }, max_rows),
        json_delimiter_(std::move(json_delimiter)),
        json_(format == query::OutputFormat::kJson),
        out_(out) {}

  Status Write(const query::Record& record) override {
    if (out_->cancelled()) return Status::Fail("cancelled");
    return writer_.Write(record);
  }
  void Finish() {
    writer_.Finish();
    Flush();
  }
  uint64_t bytes_returned() const { return returned_; }

 private:
  void Append(std::string_view s) {
    size_t start = pending_.size();
    pending_.append(s);
    // JSON records hold no raw newline, so each '\n' is a record end.
    if (json_ && json_delimiter_ != "\n") {
      std::string replaced;
      for (size_t i = start; i < pending_.size(); ++i) {
        if (pending_[i] == '\n') {
          replaced += json_delimiter_;
        } else {
          replaced += pending_[i];
        }
      }
      pending_.resize(start);
      pending_ += replaced;
    }
    if (pending_.size() >= kMaxRecordsPayload) Flush();
  }
  void Flush() {
    if (pending_.empty()) return;
    returned_ += pending_.size();
    std::string events;
    AppendRecordsEvents(pending_, &events);
    pending_.clear();
    out_->Write(events);
  }

  query::OutputWriter writer_;
  std::string json_delimiter_;
  bool json_;
  StreamProducer* out_;
  std::string pending_;
  uint64_t returned_ = 0;
};

}  // namespace

S3SelectApi::S3SelectApi(S3SelectApiOptions options, ObjectStore* lake)
    : opt_(std::move(options)), lake_(lake), streams_(opt_.streaming) {
  route_ = std::make_unique<FunctionHandlerRoute>(
      [this](HttpRequest req, Responder respond) { Handle(std::move(req), std::move(respond)); });
}

S3SelectApi::~S3SelectApi() = default;

void S3SelectApi::Register(Router& router) { router.Add("POST", "/{path+}", route_.get()); }

void S3SelectApi::Handle(HttpRequest req, Responder respond) {
  if (!QueryParam(req.query, "select") || QueryParam(req.query, "select-type") != "2") {
    return respond(HttpResponse::Error(404, "no route for POST " + req.path));
  }
  const std::string resource = req.path;
  if (!opt_.api_token.empty()) {
    // Clients sign with any access key id and the api_token as secret key.
    Status auth = VerifySigV4({req.method, req.path, req.query, req.header, req.body},
                              opt_.api_token, Clock::System().NowMillis());
    if (!auth.ok()) {
      const std::string& m = auth.message();
      size_t colon = m.find(':');
      std::string code = colon == std::string::npos ? "AccessDenied" : m.substr(0, colon);
      std::string text = colon == std::string::npos ? m : m.substr(colon + 2);
      return respond(
          XmlError({code == "AuthorizationHeaderMalformed" ? 400 : 403, code, text}, resource));
    }
  }
  std::string path = req.params.empty() ? std::string() : req.params[0];
  size_t slash = path.find('/');
  if (slash == std::string::npos || slash + 1 == path.size()) {
    return respond(XmlError(
        {400, "InvalidRequest", "expected POST /{bucket}/{key}?select&select-type=2"}, resource));
  }
  // A path: '+' is itself (PercentDecode is for query strings).
  std::string key = UriDecode(path.substr(slash + 1));
  SelectRequest sr;
  if (auto e = ParseSelectRequest(req.body, &sr)) return respond(XmlError(*e, resource));
  if (auto e = Unsupported(sr)) return respond(XmlError(*e, resource));
  Result<query::SelectStatement> parsed = query::ParseQuery(sr.expression);
  if (!parsed.ok()) {
    return respond(XmlError({400, "ParseUnexpectedToken", parsed.status().message()}, resource));
  }
  auto statement = std::make_shared<query::SelectStatement>(std::move(*parsed));

  streams_.Start(std::move(respond), [this, statement, sr = std::move(sr), key,
                                      resource](StreamProducer& out) {
    Result<std::string> object = lake_->Get(key);
    if (!object.ok()) {
      bool missing = object.status().kind() == ErrorKind::kNotFound;
      return out.Refuse(
          XmlError({missing ? 404 : 500, missing ? "NoSuchKey" : "InternalError",
                    missing ? "The specified key does not exist." : object.status().message()},
                   resource));
    }
    SelectStats stats;
    stats.bytes_scanned = object->size();
    std::string decoded;
    std::string_view text = *object;
    if (sr.gzip) {
      Result<const Encoding*> gz = FindEncoding("jsonl.gz");
      Result<std::string> d = gz.ok() ? (*gz)->decode(*object) : Result<std::string>(gz.status());
      if (!d.ok()) {
        return out.Refuse(
            XmlError({400, "InvalidCompressionFormat", d.status().message()}, resource));
      }
      decoded = std::move(*d);
      text = decoded;
    }
    if (sr.scan_range) text = ScanRangeOf(text, sr.scan_range->first, sr.scan_range->second);
    stats.bytes_processed = sr.gzip ? decoded.size() : text.size();

    query::QueryOptions qo;
    qo.limits = opt_.limits;
    UnixMillis now = Clock::System().NowMillis();
    qo.now = query::TimestampFromEpoch(now / 1000, static_cast<int>(now % 1000) * 1'000'000, 0,
                                       true, query::TsPrecision::kFraction, 3);
    RecordsSink sink(sr.output == SelectRequest::Output::kCsv ? query::OutputFormat::kCsv
                                                              : query::OutputFormat::kJson,
                     sr.json_record_delimiter, &out, opt_.limits.max_buffered_rows);
    Result<std::unique_ptr<query::QueryExecutor>> ex =
        query::QueryExecutor::Create(statement.get(), qo, &sink);
    if (!ex.ok())
      return out.Refuse(
          XmlError({400, "UnsupportedSqlStructure", ex.status().message()}, resource));
    out.Begin("application/octet-stream");
    if (sr.progress) out.Write(ProgressEvent({stats.bytes_scanned, stats.bytes_processed, 0}));

    query::DocumentFn feed = [&](const query::Value& doc, bool* stop) -> Status {
      MP_RETURN_IF_ERROR((*ex)->AddDocument(doc));
      *stop = (*ex)->done();
      return Status::Ok();
    };
    Status st;
    if (sr.input == SelectRequest::Input::kJsonDocument) {
      st = ReadJsonDocuments(text, key, feed);
    } else {
      query::InputReader reader(
          sr.input == SelectRequest::Input::kCsv ? query::InputFormat::kCsv
                                                 : query::InputFormat::kJson,
          sr.csv_input.header == SelectCsvInput::HeaderInfo::kUse      ? query::CsvHeader::kUse
          : sr.csv_input.header == SelectCsvInput::HeaderInfo::kIgnore ? query::CsvHeader::kIgnore
                                                                       : query::CsvHeader::kNone);
      st = reader.Read(text, key, feed);
    }
    if (st.ok()) st = (*ex)->Finish();
    if (!st.ok()) {
      if (out.cancelled()) return;
      spdlog::info("s3 select {}: {}", key, st.message());
      out.Write(
          ErrorEvent(st.kind() == ErrorKind::kCorruption ? "JSONParsingError" : "InternalError",
                     st.message()));
      return;
    }
    sink.Finish();
    stats.bytes_returned = sink.bytes_returned();
    out.Write(StatsEvent(stats));
    out.Write(EndEvent());
  });
}

}  // namespace mailpulse
