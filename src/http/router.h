// Router: maps (method, path pattern) to route handlers and implements the
// server's HttpHandler. Patterns are literal paths with at most one "{param}"
// segment, last ("/v1/webhooks/sendgrid/{name}") or followed by a literal
// tail ("/v1/campaigns/{id}/links"); the matched value (one non-empty
// segment, still percent-encoded) is passed in HttpRequest::params. Unknown paths get 404, known
// paths with another method 405, both with a JSON reason.
//
// Routes are added before the server starts and never after (no locking).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/http_server.h"

namespace mailpulse {

class RouteHandler {
 public:
  virtual ~RouteHandler() = default;
  // See HttpHandler::Precheck. Default: go on.
  virtual std::optional<HttpResponse> Precheck(const HttpRequest&) { return std::nullopt; }
  virtual void Handle(HttpRequest req, Responder respond) = 0;
};

// Adapts a plain function returning a response at once.
class FunctionRoute final : public RouteHandler {
 public:
  explicit FunctionRoute(std::function<HttpResponse(const HttpRequest&)> fn) : fn_(std::move(fn)) {}
  void Handle(HttpRequest req, Responder respond) override { respond(fn_(req)); }

 private:
  std::function<HttpResponse(const HttpRequest&)> fn_;
};

// Adapts a function that answers through the responder, now or later.
class FunctionHandlerRoute final : public RouteHandler {
 public:
  explicit FunctionHandlerRoute(std::function<void(HttpRequest, Responder)> fn)
      : fn_(std::move(fn)) {}
  void Handle(HttpRequest req, Responder respond) override {
    fn_(std::move(req), std::move(respond));
  }

 private:
  std::function<void(HttpRequest, Responder)> fn_;
};

class Router final : public HttpHandler {
 public:
  // `handler` must outlive the router. A pattern has at most one parameter:
  // `{name}` matches one non-empty path segment; `{name+}` (last in the
  // pattern) matches the non-empty rest of the path, slashes included, and is
  // a fallback: it is tried only for paths no other route knows, and only for
  // its own method, so other routes' 404 and 405 answers are unchanged.
  void Add(std::string method, std::string pattern, RouteHandler* handler);

  std::optional<HttpResponse> Precheck(const HttpRequest& req) override;
  void Handle(HttpRequest req, Responder respond) override;
  std::string RouteLabel(const HttpRequest& req) const override;

 private:
  struct Route {
    std::string method;
    std::string prefix;  // literal part before the param (the whole path without one)
    std::string suffix;  // literal part after the param
    bool has_param = false;
    bool greedy = false;  // {name+}
    std::string pattern;
    RouteHandler* handler = nullptr;
  };
  // Route for the path (any method) and for path+method; param filled on match.
  const Route* Match(const HttpRequest& req, bool* path_known, std::string* param) const;

  std::vector<Route> routes_;
};

}  // namespace mailpulse
