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

// The state of one request while its appends are in flight. It owns itself:
// `outstanding` counts the completions still to come (plus Handle's hold),
// and the last one answers and deletes it. Streams and tickets call each
// completion exactly once (stream.h, commit_ticket.h), so no shared_ptr is
// needed, and the callbacks capture plain pointers: a lambda holding a
// shared_ptr is not trivially copyable, so std::function would heap-allocate
// every one of them.
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

  // One per shard append: the shard and the ticket that append resolves.
  std::vector<std::pair<uint32_t, std::shared_ptr<CommitTicket>>> appends;
  // Buffers the stream reads until the appends complete.
  std::string payloads;  // the accepted records of every shard, back to back
  std::string error_payloads;
  std::string key_arena;  // partition keys of the accepted records

  void Fail(const std::string& reason) {
    std::lock_guard lock(mu);
    if (!failed.exchange(true)) failure = reason;
  }

  void Done() {
    if (outstanding.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    Answer();
    delete this;
  }

 private:
  void Answer() {
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

  auto* pending = new PendingRequest;  // deletes itself (PendingRequest::Done)
  pending->respond = std::move(respond);
  pending->started = started;
  pending->probe = probe_;
  pending->retry_after_seconds = options_.retry_after_seconds;

  const uint32_t shards = events_->shard_count();

  // Per-element bookkeeping in per-thread buffers, so a request allocates
  // only what outlives Handle (the PendingRequest, its buffers, the tickets
  // and the record vectors the stream takes). Keys without a heap allocation
  // per event: partition keys go to one arena the stream reads until the
  // appends complete, dedupe keys to a per-thread arena (the index copies
  // what it keeps). Views are taken once the arenas stop growing.
  struct Span {
    uint32_t offset = 0, length = 0;
  };
  struct Scratch {
    std::string dedupe_arena;
    std::vector<Span> pk, dk, payload;  // per element
    std::vector<uint32_t> shard;        // per element: its shard, when accepted
    std::vector<uint8_t> type;          // per element: IngestProbe::TypeIndex of its event
    // Accepted elements grouped by shard (body order within a shard):
    // shard s owns order[shard_begin[s], shard_begin[s + 1]).
    std::vector<uint32_t> order, shard_begin, fill;
    std::vector<DedupeIndex::Query> queries;           // parallel to order
    std::vector<std::pair<uint32_t, uint32_t>> fresh;  // per append: its run of order
  };
  thread_local Scratch sc;
  sc.dedupe_arena.clear();
  sc.pk.resize(elements.size());
  sc.dk.resize(elements.size());
  sc.payload.resize(elements.size());
  sc.shard.resize(elements.size());
  sc.type.resize(elements.size());
  size_t pk_bytes = 0;
  for (const BodyElement& el : elements) {
    if (!el.reject_reason) pk_bytes += PartitionKeyView(el.fields).size();
  }
  pending->key_arena.reserve(pk_bytes);

  // Rejected events go to the error output; accepted ones get their keys and
  // shard. Consecutive events usually belong to one message (its processed,
  // delivered, open...) and so share a partition key: reuse the previous
  // shard rather than hash (MD5) the same key again.
  std::vector<std::pair<size_t, size_t>> error_spans;  // offsets into error_payloads
  std::array<std::array<uint64_t, IngestProbe::kTypes.size()>, IngestProbe::kOutcomes> counts{};
  size_t raw_bytes = 0, accepted = 0;
  std::string_view prev_pk;
  uint32_t prev_shard = 0;
  bool have_prev = false;
  sc.shard_begin.assign(shards + 1, 0);
  for (uint32_t i = 0; i < elements.size(); ++i) {
    BodyElement& el = elements[i];
    const size_t type_index = IngestProbe::TypeIndex(el.fields.event);
    sc.type[i] = static_cast<uint8_t>(type_index);
    if (el.reject_reason) {
      size_t start = pending->error_payloads.size();
      AppendRejectedPayload(pending->error_payloads, el.raw, *el.reject_reason, now, ep->name);
      error_spans.emplace_back(start, pending->error_payloads.size() - start);
      counts[IngestProbe::kRejected][type_index]++;
      continue;
    }
    std::string_view pk = PartitionKeyView(el.fields);
    sc.pk[i] = {static_cast<uint32_t>(pending->key_arena.size()), static_cast<uint32_t>(pk.size())};
    pending->key_arena.append(pk);
    size_t dk_start = sc.dedupe_arena.size();
    AppendDedupeKey(sc.dedupe_arena, el.fields);
    sc.dk[i] = {static_cast<uint32_t>(dk_start),
                static_cast<uint32_t>(sc.dedupe_arena.size() - dk_start)};
    raw_bytes += el.raw.size();
    if (!have_prev || pk != prev_pk) {
      prev_shard = events_->ShardFor(pk).value();
      prev_pk = pk;
      have_prev = true;
    }
    sc.shard[i] = prev_shard;
    ++sc.shard_begin[prev_shard + 1];
    ++accepted;
  }
  auto view = [](const std::string& arena, Span sp) {
    return std::string_view(arena).substr(sp.offset, sp.length);
  };

  // Group by shard (a counting sort: stable, so body order within a shard).
  for (uint32_t s = 0; s < shards; ++s) sc.shard_begin[s + 1] += sc.shard_begin[s];
  sc.fill.assign(sc.shard_begin.begin(), sc.shard_begin.end() - 1);
  sc.order.resize(accepted);
  sc.queries.resize(accepted);
  for (uint32_t i = 0; i < elements.size(); ++i) {
    if (elements[i].reject_reason) continue;
    const uint32_t at = sc.fill[sc.shard[i]]++;
    sc.order[at] = i;
    sc.queries[at].key = view(sc.dedupe_arena, sc.dk[i]);
  }

  // Room for the originals plus the enrichment prefix (~140 bytes each).
  pending->payloads.reserve(raw_bytes + 192 * accepted);
  const EnrichedPayloadWriter enrich(now, ep->name);
  std::vector<std::shared_ptr<CommitTicket>> waits;
  sc.fresh.clear();
  for (uint32_t s = 0; s < shards; ++s) {
    const uint32_t begin = sc.shard_begin[s], end = sc.shard_begin[s + 1];
    if (begin == end) continue;
    auto ticket = std::make_shared<CommitTicket>();
    (*dedupe_)[s]->CheckAndInsert(std::span(sc.queries).subspan(begin, end - begin), now, ticket);
    uint32_t fresh = 0;  // the fresh events are compacted to the front of the run
    for (uint32_t q = begin; q < end; ++q) {
      const uint32_t i = sc.order[q];
      const size_t type_index = sc.type[i];
      if (sc.queries[q].outcome == DedupeIndex::Outcome::kDuplicate) {
        counts[IngestProbe::kDuplicate][type_index]++;
        const auto& original = sc.queries[q].original;
        if (original && original != ticket && original->state() == CommitTicket::State::kPending) {
          waits.push_back(original);
        }
        continue;
      }
      counts[IngestProbe::kAccepted][type_index]++;
      size_t start = pending->payloads.size();
      enrich.Append(pending->payloads, elements[i].fields, elements[i].raw);
      sc.payload[i] = {static_cast<uint32_t>(start),
                       static_cast<uint32_t>(pending->payloads.size() - start)};
      sc.order[begin + fresh++] = i;
    }
    if (fresh == 0) {
      ticket->Resolve(true);  // nothing of ours references it
      continue;
    }
    pending->appends.emplace_back(s, std::move(ticket));
    sc.fresh.emplace_back(begin, fresh);
  }
  sc.queries.clear();  // drops the references to original tickets now
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

  // The records, before any completion can run: a callback may run inline
  // and must not find the per-thread buffers reused. Views are taken only
  // now: the buffers no longer grow.
  std::vector<std::vector<AppendRecord>> records(pending->appends.size());
  for (size_t a = 0; a < records.size(); ++a) {
    const auto [begin, n] = sc.fresh[a];
    records[a].reserve(n);
    for (uint32_t k = begin; k < begin + n; ++k) {
      const uint32_t i = sc.order[k];
      records[a].push_back(AppendRecord{view(pending->key_arena, sc.pk[i]),
                                        view(pending->payloads, sc.payload[i]), now});
    }
  }

  // Register every completion before starting any, then release Handle's hold.
  pending->outstanding.fetch_add(
      static_cast<int>(pending->appends.size() + waits.size() + (error_spans.empty() ? 0 : 1)));
  for (auto& original : waits) {
    original->OnResolved([pending](bool ok) {
      if (!ok) pending->Fail("an earlier copy of a duplicate event failed to store");
      pending->Done();
    });
  }
  for (size_t a = 0; a < records.size(); ++a) {
    events_->Append(ShardId(pending->appends[a].first), std::move(records[a]),
                    [pending, a](const Status& st, SequenceNumber, SequenceNumber) {
                      pending->appends[a].second->Resolve(st.ok());
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
