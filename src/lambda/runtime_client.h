// RuntimeClient: the AWS Lambda Runtime API (version 2018-06-01) as a custom
// runtime's `bootstrap` speaks it, over libcurl (storage/s3/curl_client.h):
//   GET  /runtime/invocation/next            -> the next event (blocks, no timeout)
//   POST /runtime/invocation/{id}/response   -> the function's result
//   POST /runtime/invocation/{id}/error      -> an invocation error
//   POST /runtime/init/error                 -> start-up failed; then exit
// Errors are posted as {"errorMessage":..,"errorType":..,"stackTrace":[]} with
// the Lambda-Runtime-Function-Error-Type header.
//
// Status: transport failures are kRetry (from CurlClient); an HTTP 4xx
// answer to a post is kInvalid (that one invocation is lost, go on); any
// other non-2xx (500: "container error") is kFail and the runtime must exit.
//
// One instance per process; calls come from the runtime loop's one thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/types.h"
#include "storage/s3/curl_client.h"

namespace mailpulse {

struct Invocation {
  std::string request_id;      // Lambda-Runtime-Aws-Request-Id
  UnixMillis deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms (Unix ms); 0 when absent
  std::string function_arn;    // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;        // Lambda-Runtime-Trace-Id, for _X_AMZN_TRACE_ID
  std::string event;           // the event JSON
};

class RuntimeClient {
 public:
  // `api`: AWS_LAMBDA_RUNTIME_API, "host:port".
  explicit RuntimeClient(std::string api);

  Result<Invocation> Next();
  Status PostResponse(std::string_view request_id, std::string_view payload);
  Status PostInvocationError(std::string_view request_id, std::string_view error_type,
                             std::string_view message);
  Status PostInitError(std::string_view error_type, std::string_view message);

 private:
  Status Post(const std::string& path, std::string_view body, std::string_view error_type);

  std::string base_;  // http://host:port/2018-06-01
  CurlClient http_;
};

// The error document the Runtime API takes.
std::string RuntimeErrorBody(std::string_view error_type, std::string_view message);

}  // namespace mailpulse
