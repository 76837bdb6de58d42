#include "lambda/invocation_handler.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

namespace mailpulse {
namespace {

constexpr std::string_view kWebhookPrefix = "/v1/webhooks/sendgrid";

// Where the handler's answer lands; shared with the responder, which may run
// after Invoke has given up waiting.
struct PendingAnswer {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<HttpResponse> response;
};

}  // namespace

HttpRequest ToHttpRequest(ApiGatewayRequest request, std::string path) {
  HttpRequest req;
  req.method = std::move(request.method);
  req.path = std::move(path);
  req.query = std::move(request.raw_query);
  req.target = req.query.empty() ? req.path : req.path + "?" + req.query;
  req.content_length = request.body.size();
  req.body = std::move(request.body);
  auto headers = std::make_shared<ApiGatewayRequest>();
  headers->headers = std::move(request.headers);
  req.header = [headers](std::string_view name) { return headers->Header(name); };
  return req;
}

std::string EncodeResponse(const HttpResponse& response) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(response.headers.size() + 1);
  headers.emplace_back("Content-Type", response.content_type);
  for (const auto& h : response.headers) headers.push_back(h);
  return EncodeApiGatewayResponse(response.status, headers, response.body);
}

InvocationHandler::InvocationHandler(InvocationHandlerOptions options, HttpHandler* http,
                                     Clock* clock)
    : options_(options), http_(http), clock_(clock) {}

InvocationResult InvocationHandler::Answer(const HttpResponse& response) const {
  InvocationResult r;
  r.status = response.status;
  r.payload = EncodeResponse(response);
  return r;
}

HttpResponse InvocationHandler::DeadlineResponse(std::string_view why) const {
  HttpResponse r = HttpResponse::Error(503, std::string(why) + "; retry later");
  r.headers.emplace_back("Retry-After", std::to_string(options_.retry_after_seconds));
  return r;
}

InvocationResult InvocationHandler::Invoke(std::string_view event, UnixMillis deadline_ms) {
  Result<ApiGatewayRequest> parsed = ParseApiGatewayEvent(event);
  if (!parsed.ok()) {
    InvocationResult r;
    r.ok = false;
    r.error_type = "Mailpulse.InvalidEvent";
    r.error_message = parsed.status().message();
    return r;
  }
  // Answered before anything is appended: too little time left to wait for
  // the stream's acknowledgement.
  const UnixMillis give_up = deadline_ms - options_.deadline_margin_ms;
  if (deadline_ms > 0 && clock_->NowMillis() >= give_up) {
    return Answer(DeadlineResponse("the Lambda invocation's deadline is too near to store events"));
  }
  if (parsed->body.size() > options_.max_body_bytes) {
    return Answer(HttpResponse::Error(413, "body of " + std::to_string(parsed->body.size()) +
                                               " bytes exceeds the limit of " +
                                               std::to_string(options_.max_body_bytes) + " bytes"));
  }
  std::string path = RoutePath(*parsed, kWebhookPrefix);
  HttpRequest req = ToHttpRequest(std::move(parsed).value(), std::move(path));

  // As the HTTP server: Precheck with an empty body, then Handle with it.
  HttpRequest head;
  head.method = req.method;
  head.target = req.target;
  head.path = req.path;
  head.query = req.query;
  head.header = req.header;
  head.content_length = req.content_length;
  if (std::optional<HttpResponse> refused = http_->Precheck(head)) return Answer(*refused);

  auto answer = std::make_shared<PendingAnswer>();
  http_->Handle(std::move(req), [answer](HttpResponse response) {
    std::lock_guard lock(answer->mu);
    answer->response = std::move(response);
    answer->cv.notify_all();
  });
  std::unique_lock lock(answer->mu);
  auto done = [&] { return answer->response.has_value(); };
  if (deadline_ms <= 0) {
    answer->cv.wait(lock, done);
  } else {
    // The wall clock decides how long is left; a steady wait covers it.
    int64_t left_ms = give_up - clock_->NowMillis();
    if (!answer->cv.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, left_ms)),
                             done)) {
      spdlog::warn("lambda: the stream did not acknowledge within the invocation's deadline");
      return Answer(DeadlineResponse(
          "events not acknowledged by the stream before the Lambda invocation's deadline"));
    }
  }
  return Answer(*answer->response);
}

}  // namespace mailpulse
