#include "lambda/runtime_client.h"

#include <charconv>

#include "common/json_escape.h"

namespace mailpulse {
namespace {

// Between invocations Lambda may freeze the process for any time, and the
// `next` GET waits for an event as long as there is none: no low-speed abort
// (0 turns it off) and no total timeout. Connecting to the local endpoint is
// still bounded.
CurlClientOptions RuntimeCurlOptions() {
  CurlClientOptions o;
  o.connect_timeout_ms = 5'000;
  o.low_speed_time_s = 0;
  return o;
}

Status FromHttpStatus(long status, const std::string& what, const std::string& body) {
  if (status >= 200 && status < 300) return Status::Ok();
  std::string msg = what + ": HTTP " + std::to_string(status) + (body.empty() ? "" : " " + body);
  if (status >= 400 && status < 500) return Status::Invalid(std::move(msg));
  return Status::Fail(std::move(msg));
}

}  // namespace

std::string RuntimeErrorBody(std::string_view error_type, std::string_view message) {
  std::string out = "{\"errorMessage\":";
  AppendJsonString(out, message);
  out += ",\"errorType\":";
  AppendJsonString(out, error_type);
  out += ",\"stackTrace\":[]}";
  return out;
}

RuntimeClient::RuntimeClient(std::string api)
    : base_("http://" + std::move(api) + "/2018-06-01"), http_(RuntimeCurlOptions()) {}

Result<Invocation> RuntimeClient::Next() {
  CurlRequest req;
  req.method = "GET";
  req.url = base_ + "/runtime/invocation/next";
  MP_ASSIGN_OR_RETURN(CurlResponse resp, http_.Send(req));
  MP_RETURN_IF_ERROR(FromHttpStatus(resp.status, "GET " + req.url, resp.body));
  Invocation inv;
  inv.request_id = resp.Header("lambda-runtime-aws-request-id");
  if (inv.request_id.empty()) {
    return Status::Fail("GET " + req.url + ": no Lambda-Runtime-Aws-Request-Id header");
  }
  std::string deadline = resp.Header("lambda-runtime-deadline-ms");
  if (!deadline.empty()) {
    auto [end, ec] =
        std::from_chars(deadline.data(), deadline.data() + deadline.size(), inv.deadline_ms);
    if (ec != std::errc() || end != deadline.data() + deadline.size()) {
      return Status::Fail("GET " + req.url + ": bad Lambda-Runtime-Deadline-Ms '" + deadline + "'");
    }
  }
  inv.function_arn = resp.Header("lambda-runtime-invoked-function-arn");
  inv.trace_id = resp.Header("lambda-runtime-trace-id");
  inv.event = std::move(resp.body);
  return inv;
}

Status RuntimeClient::Post(const std::string& path, std::string_view body,
                           std::string_view error_type) {
  CurlRequest req;
  req.method = "POST";
  req.url = base_ + path;
  req.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) {
    req.headers.emplace_back("Lambda-Runtime-Function-Error-Type", std::string(error_type));
  }
  req.body = body;
  MP_ASSIGN_OR_RETURN(CurlResponse resp, http_.Send(req));
  return FromHttpStatus(resp.status, "POST " + req.url, resp.body);
}

Status RuntimeClient::PostResponse(std::string_view request_id, std::string_view payload) {
  return Post("/runtime/invocation/" + std::string(request_id) + "/response", payload, "");
}

Status RuntimeClient::PostInvocationError(std::string_view request_id, std::string_view error_type,
                                          std::string_view message) {
  return Post("/runtime/invocation/" + std::string(request_id) + "/error",
              RuntimeErrorBody(error_type, message), error_type);
}

Status RuntimeClient::PostInitError(std::string_view error_type, std::string_view message) {
  return Post("/runtime/init/error", RuntimeErrorBody(error_type, message), error_type);
}

}  // namespace mailpulse
