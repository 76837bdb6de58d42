// A tiny keep-alive HTTP/1.1 client for the simulator (plain http only):
// SendGrid's side of the webhook, one connection per client.
//
// Each Post runs to completion or to the timeout on the caller's thread.
// Errors are values: a connection or timeout failure is Status::Retry (the
// caller decides how SendGrid-like to be about it); any HTTP status, 5xx
// included, is a successful exchange returned as an ClientResponse. A reused
// keep-alive connection the server already closed is retried once on a fresh
// connection before giving up. Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mailpulse {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
  std::string user_info;  // "user:pass" from http://user:pass@host/, sent as Basic auth

  // http://[user:pass@]host[:port][/path[?query]]; Invalid for anything else
  // (https is not supported: put a TLS proxy in front for that).
  static Result<HttpUrl> Parse(std::string_view url);
};

struct ClientResponse {
  int status = 0;
  std::string body;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  HttpClient(HttpUrl url, std::chrono::milliseconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to the URL's target with `headers` (Host, Content-Length and
  // Authorization from the URL's user info are added).
  Result<ClientResponse> Post(const HttpHeaders& headers, std::string body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailpulse
