// InvocationHandler: one Lambda invocation carrying an API Gateway proxy
// event, answered by the same HttpHandler (Router + WebhookHandler) that
// `serve` puts behind its HTTP server.
//
// The event becomes an HttpRequest (headers case-insensitive, the body
// base64-decoded when API Gateway encoded it), goes through the router's
// Precheck and Handle, and the handler's HttpResponse becomes API Gateway's
// response document. Handle answers only when the stream has acknowledged
// every accepted event; if that has not happened by the invocation's
// deadline minus `deadline_margin_ms`, the answer is 503 with Retry-After and
// a JSON reason, never 200 (SendGrid retries; a late acknowledgement is then
// a duplicate that dedupe drops). A deadline that leaves less than the
// margin when the invocation starts is answered 503 at once, before
// anything is appended.
//
// An event that is not an API Gateway proxy event is an invocation error
// (the runtime posts it to /runtime/invocation/{id}/error).
//
// Thread-safety: Invoke is called from one thread (the runtime loop); the
// HttpHandler may answer from its own threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/types.h"
#include "http/http_server.h"
#include "lambda/api_gateway_event.h"

namespace mailpulse {

struct InvocationHandlerOptions {
  int64_t deadline_margin_ms = 1000;
  int retry_after_seconds = 5;
  uint64_t max_body_bytes = 4u << 20;  // larger bodies: 413, as serve
};

struct InvocationResult {
  bool ok = true;             // false: post an invocation error
  std::string payload;        // ok: API Gateway's response document
  std::string error_type;     // !ok
  std::string error_message;  // !ok
  int status = 0;             // ok: the HTTP status inside `payload` (for logs and tests)
};

// The HttpRequest the router sees for `request` (path already resolved).
HttpRequest ToHttpRequest(ApiGatewayRequest request, std::string path);

// API Gateway's response document for `response` (Content-Type included).
std::string EncodeResponse(const HttpResponse& response);

class InvocationHandler {
 public:
  // `http` and `clock` must outlive the handler.
  InvocationHandler(InvocationHandlerOptions options, HttpHandler* http, Clock* clock);

  // `deadline_ms`: Unix ms from Lambda-Runtime-Deadline-Ms; 0 = none.
  // Blocks until the handler answered or the deadline (minus the margin).
  InvocationResult Invoke(std::string_view event, UnixMillis deadline_ms);

 private:
  InvocationResult Answer(const HttpResponse& response) const;
  HttpResponse DeadlineResponse(std::string_view why) const;

  InvocationHandlerOptions options_;
  HttpHandler* http_;
  Clock* clock_;
};

}  // namespace mailpulse
