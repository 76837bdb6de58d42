// QueryApi: `POST /v1/query` — the lake's SQL over HTTP (docs/query.md).
//
//   POST /v1/query?output=json|csv&prefix=P&since=T&until=T
//   Authorization: Bearer <api_token>        (when api_token is set)
//   body: the SQL text
//
// A query that cannot run is refused before any output: 400 with the parse
// error's line and column (or the unsupported feature), 401 without the
// token, 413 over S3 Select's 256 KiB expression limit. Otherwise 200 and
// the results stream as they are produced (JSON Lines or CSV), each query on
// a thread of its own; output waits (bounded buffer) while the client reads
// slowly, and the query is cancelled when the client goes away. An error
// after the first bytes (a limit, an unreadable object) ends the body with
// one last line `{"error":"..."}`.
//
// Ownership: the store must outlive the API; the destructor cancels running
// queries and waits for their threads. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "http/background_stream.h"
#include "http/router.h"
#include "query/lake_query.h"
#include "storage/object_store.h"

namespace mailpulse {

struct QueryApiOptions {
  std::string api_token;  // empty: no authentication
  query::LakeQueryConfig query;
  BackgroundStreamOptions streaming;  // output held for a slow client
};

class QueryApi {
 public:
  QueryApi(QueryApiOptions options, ObjectStore* lake);
  ~QueryApi();

  void Register(Router& router);

 private:
  void Handle(HttpRequest req, Responder respond);

  QueryApiOptions opt_;
  ObjectStore* lake_;
  std::unique_ptr<RouteHandler> route_;
  BackgroundStreams streams_;  // last member: destroyed (and joined) first
};

}  // namespace mailpulse
