#include "ingest/webhook_handler.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "event/event.h"
#include "event/event_payload.h"
#include "event/webhook_body.h"

namespace mailpulse {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

bool IsJsonContentType(std::string_view ct) {
  // "application/json", optionally with parameters ("; charset=utf-8"), any case.
  auto semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (type.size() != kJson.size()) return false;
  for (size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) return false;
  }
  return true;
}

HttpResponse FromStatus(const Status& st) {
  switch (st.kind()) {
    case ErrorKind::kUnauthorized:
      return HttpResponse::Error(401, st.message());
    case ErrorKind::kForbidden:
      return HttpResponse::Error(403, st.message());
    case ErrorKind::kInvalid:
      return HttpResponse::Error(400, st.message());
    default:
      return HttpResponse::Error(500, st.message());
  }
}

// The state of one request while its appends are in flight. Shared by the
// append callbacks and the tickets it waits on; the last one to finish answers.
struct PendingRequest {
  Responder respond;
  SteadyClock::time_point started;
  IngestProbe* probe = nullptr;
  int retry_after_seconds = 5;
  uint64_t accepted = 0, duplicates = 0, rejected = 0;
  std::atomic<int> outstanding{1};  // +1 held by Handle until every wait is registered
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::string failure;  // first failure reason

  // Buffers the stream reads until the appends complete.
  std::vector<std::string> shard_payloads;
  std::string error_payloads;
  std::string key_arena;  // partition keys of the accepted records

  void Fail(const std::string& reason) {
    std::lock_guard lock(mu);
    if (!failed.exchange(true)) failure = reason;
  }

  void Done() {
    if (outstanding.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    probe->request_seconds().Observe(SecondsSince(started));
    if (failed.load()) {
      probe->failed_appends().Inc();
      HttpResponse r = HttpResponse::Error(503, "events not stored, retry later: " + failure);
      r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
      respond(std::move(r));
      return;
    }
    respond(
        HttpResponse::Json(200, fmt::format(R"({{"accepted":{},"duplicates":{},"rejected":{}}})",
                                            accepted, duplicates, rejected)));
  }
};

}  // namespace

WebhookHandler::WebhookHandler(WebhookHandlerOptions options,
                               std::vector<WebhookEndpoint> endpoints, WebhookAuth auth,
                               Stream* events, Stream* errors,
                               std::vector<std::unique_ptr<DedupeIndex>>* dedupe, Clock* clock,
                               IngestProbe* probe)
    : options_(options),
      auth_(std::move(auth)),
      events_(events),
      errors_(errors),
      dedupe_(dedupe),
      clock_(clock),
      probe_(probe) {
  for (auto& ep : endpoints) {
    std::string name = ep.name;
    endpoints_.emplace(std::move(name), std::move(ep));
  }
}

const WebhookEndpoint* WebhookHandler::Find(const HttpRequest& req) const {
  std::string_view name = req.params.empty() ? std::string_view("default") : req.params[0];
  auto it = endpoints_.find(name);
  return it == endpoints_.end() ? nullptr : &it->second;
}

std::optional<HttpResponse> WebhookHandler::CheckHeaders(const HttpRequest& req,
                                                         const WebhookEndpoint& ep) const {
  if (auth_.enabled()) {
    Status st = auth_.Check(req.header("Authorization"));
    if (!st.ok()) {
      HttpResponse r = FromStatus(st);
      if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"mailpulse\"");
      return r;
    }
  }
  std::string_view ct = req.header("Content-Type");
  if (!IsJsonContentType(ct)) {
    return HttpResponse::Error(
        415, ct.empty()
                 ? std::string("missing Content-Type; send application/json")
                 : "unsupported Content-Type '" + std::string(ct) + "'; send application/json");
  }
  bool has_signature =
      !req.header(kSignatureHeader).empty() || !req.header(kTimestampHeader).empty();
  if (ep.verifier && !has_signature && !options_.allow_unsigned) {
    return HttpResponse::Error(401, "missing " + std::string(kSignatureHeader) + " and " +
                                        std::string(kTimestampHeader) + " headers");
  }
  return std::nullopt;
}

std::optional<HttpResponse> WebhookHandler::Precheck(const HttpRequest& req) {
  const WebhookEndpoint* ep = Find(req);
  if (ep == nullptr) {
    return HttpResponse::Error(
        404, "no webhook named '" + (req.params.empty() ? "" : req.params[0]) + "'");
  }
  return CheckHeaders(req, *ep);
}

void WebhookHandler::Handle(HttpRequest req, Responder respond) {
  const auto started = SteadyClock::now();
  const WebhookEndpoint* ep = Find(req);
  if (ep == nullptr) return respond(HttpResponse::Error(404, "unknown webhook"));
  if (auto refused = CheckHeaders(req, *ep)) return respond(std::move(*refused));

  const UnixMillis now = clock_->NowMillis();
  std::string_view signature = req.header(kSignatureHeader);
  std::string_view timestamp = req.header(kTimestampHeader);
  if (ep->verifier && (!signature.empty() || !timestamp.empty() || !options_.allow_unsigned)) {
    auto t0 = SteadyClock::now();
    Status st = ep->verifier->Verify(timestamp, req.body, signature);
    if (st.ok()) st = CheckTimestampAge(timestamp, now, options_.signature_max_age_seconds);
    probe_->verify_seconds().Observe(SecondsSince(t0));
    if (!st.ok()) return respond(FromStatus(st));
  }

  auto t_parse = SteadyClock::now();
  // Per-thread buffers (ParseWebhookBody also keeps one parser per thread).
  thread_local std::vector<BodyElement> elements;
  ReserveBodyPadding(req.body);
  Status parsed = ParseWebhookBody(req.body, now, &elements);
  if (!parsed.ok()) return respond(HttpResponse::Error(400, parsed.message()));

  auto pending = std::make_shared<PendingRequest>();
  pending->respond = std::move(respond);
  pending->started = started;
  pending->probe = probe_;
  pending->retry_after_seconds = options_.retry_after_seconds;

  const uint32_t shards = events_->shard_count();
  pending->shard_payloads.resize(shards);

  // Keys without a heap allocation per event: partition keys go to one arena
  // the stream reads until the appends complete, dedupe keys to a per-thread
  // arena (the index copies what it keeps). Views are taken once both are built.
  struct Span {
    uint32_t offset = 0, length = 0;
  };
  thread_local std::string dedupe_arena;
  thread_local std::vector<Span> pk_spans, dk_spans;
  dedupe_arena.clear();
  pk_spans.assign(elements.size(), {});
  dk_spans.assign(elements.size(), {});
  size_t pk_bytes = 0;
  for (const BodyElement& el : elements) {
    if (!el.reject_reason) pk_bytes += PartitionKeyView(el.fields).size();
  }
  pending->key_arena.reserve(pk_bytes);

  // Group accepted events by shard; rejected ones go to the error output.
  std::vector<std::vector<uint32_t>> by_shard(shards);
  std::vector<std::pair<size_t, size_t>> error_spans;  // offsets into error_payloads
  std::array<std::array<uint64_t, IngestProbe::kTypes.size()>, IngestProbe::kOutcomes> counts{};
  size_t raw_bytes = 0;
  for (uint32_t i = 0; i < elements.size(); ++i) {
    BodyElement& el = elements[i];
    size_t type_index = IngestProbe::TypeIndex(el.fields.event);
    if (el.reject_reason) {
      size_t start = pending->error_payloads.size();
      AppendRejectedPayload(pending->error_payloads, el.raw, *el.reject_reason, now, ep->name);
      error_spans.emplace_back(start, pending->error_payloads.size() - start);
      counts[IngestProbe::kRejected][type_index]++;
      continue;
    }
    std::string_view pk = PartitionKeyView(el.fields);
    pk_spans[i] = {static_cast<uint32_t>(pending->key_arena.size()),
                   static_cast<uint32_t>(pk.size())};
    pending->key_arena.append(pk);
    size_t dk_start = dedupe_arena.size();
    AppendDedupeKey(dedupe_arena, el.fields);
    dk_spans[i] = {static_cast<uint32_t>(dk_start),
                   static_cast<uint32_t>(dedupe_arena.size() - dk_start)};
    raw_bytes += el.raw.size();
    by_shard[events_->ShardFor(pk).value()].push_back(i);
  }
  auto view = [](const std::string& arena, Span sp) {
    return std::string_view(arena).substr(sp.offset, sp.length);
  };

  std::vector<std::pair<uint32_t, std::shared_ptr<CommitTicket>>> appends;
  std::vector<std::shared_ptr<CommitTicket>> waits;
  std::vector<std::vector<AppendRecord>> records(shards);
  std::vector<DedupeIndex::Query> queries;
  for (uint32_t s = 0; s < shards; ++s) {
    if (by_shard[s].empty()) continue;
    auto ticket = std::make_shared<CommitTicket>();
    queries.assign(by_shard[s].size(), {});
    for (size_t q = 0; q < by_shard[s].size(); ++q)
      queries[q].key = view(dedupe_arena, dk_spans[by_shard[s][q]]);
    (*dedupe_)[s]->CheckAndInsert(queries, now, ticket);

    std::string& buf = pending->shard_payloads[s];
    // Room for the originals plus the enrichment prefix (~140 bytes each).
    buf.reserve(raw_bytes * by_shard[s].size() / std::max<size_t>(1, elements.size()) +
                192 * by_shard[s].size());
    std::vector<std::pair<size_t, size_t>> spans;
    std::vector<uint32_t> fresh;
    for (size_t q = 0; q < queries.size(); ++q) {
      const BodyElement& el = elements[by_shard[s][q]];
      size_t type_index = IngestProbe::TypeIndex(el.fields.event);
      if (queries[q].outcome == DedupeIndex::Outcome::kDuplicate) {
        counts[IngestProbe::kDuplicate][type_index]++;
        const auto& original = queries[q].original;
        if (original && original != ticket && original->state() == CommitTicket::State::kPending) {
          waits.push_back(original);
        }
        continue;
      }
      counts[IngestProbe::kAccepted][type_index]++;
      size_t start = buf.size();
      AppendEnrichedPayload(buf, el.fields, el.raw, now, ep->name);
      spans.emplace_back(start, buf.size() - start);
      fresh.push_back(by_shard[s][q]);
    }
    if (fresh.empty()) {
      ticket->Resolve(true);  // nothing of ours references it
      continue;
    }
    // Views are taken only now: the buffer no longer grows.
    records[s].reserve(fresh.size());
    for (size_t k = 0; k < fresh.size(); ++k) {
      records[s].push_back(
          AppendRecord{view(pending->key_arena, pk_spans[fresh[k]]),
                       std::string_view(buf).substr(spans[k].first, spans[k].second), now});
    }
    appends.emplace_back(s, std::move(ticket));
  }
  for (size_t o = 0; o < IngestProbe::kOutcomes; ++o) {
    for (size_t t = 0; t < IngestProbe::kTypes.size(); ++t) {
      if (counts[o][t] == 0) continue;
      probe_->CountEvents(static_cast<IngestProbe::Outcome>(o), t, counts[o][t]);
      (o == IngestProbe::kAccepted    ? pending->accepted
       : o == IngestProbe::kDuplicate ? pending->duplicates
                                      : pending->rejected) += counts[o][t];
    }
  }
  probe_->parse_seconds().Observe(SecondsSince(t_parse));

  // Register every completion before starting any, then release Handle's hold.
  pending->outstanding.fetch_add(
      static_cast<int>(appends.size() + waits.size() + (error_spans.empty() ? 0 : 1)));
  for (auto& original : waits) {
    original->OnResolved([pending](bool ok) {
      if (!ok) pending->Fail("an earlier copy of a duplicate event failed to store");
      pending->Done();
    });
  }
  for (auto& [shard, ticket] : appends) {
    events_->Append(ShardId(shard), std::move(records[shard]),
                    [pending, ticket = ticket](const Status& st, SequenceNumber, SequenceNumber) {
                      ticket->Resolve(st.ok());
                      if (!st.ok()) pending->Fail(st.message());
                      pending->Done();
                    });
  }
  if (!error_spans.empty()) {
    std::vector<AppendRecord> errs;
    errs.reserve(error_spans.size());
    for (auto [start, len] : error_spans) {
      errs.push_back(AppendRecord{
          ep->name, std::string_view(pending->error_payloads).substr(start, len), now});
    }
    errors_->Append(ShardId(0), std::move(errs),
                    [pending](const Status& st, SequenceNumber, SequenceNumber) {
                      if (!st.ok()) pending->Fail("error output: " + st.message());
                      pending->Done();
                    });
  }
  pending->Done();
}

}  // namespace mailpulse
