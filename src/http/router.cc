#include "http/router.h"

namespace mailpulse {

void Router::Add(std::string method, std::string pattern, RouteHandler* handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = pattern;
  auto brace = pattern.find('{');
  r.has_param = brace != std::string::npos;
  r.prefix = r.has_param ? pattern.substr(0, brace) : pattern;
  if (r.has_param) {
    auto close = pattern.find('}', brace);
    r.suffix = close == std::string::npos ? "" : pattern.substr(close + 1);
    r.greedy = close != std::string::npos && close > brace && pattern[close - 1] == '+';
  }
  r.handler = handler;
  routes_.push_back(std::move(r));
}

const Router::Route* Router::Match(const HttpRequest& req, bool* path_known,
                                   std::string* param) const {
  *path_known = false;
  // Exact and one-segment routes first; greedy ones only for unknown paths.
  for (bool greedy_pass : {false, true}) {
    for (const Route& r : routes_) {
      if (r.greedy != greedy_pass) continue;
      // A fallback claims only its own method: other methods stay 404.
      if (r.greedy && r.method != req.method) continue;
      bool path_match = false;
      std::string value;
      if (!r.has_param) {
        path_match = req.path == r.prefix;
      } else if (req.path.size() > r.prefix.size() + r.suffix.size() &&
                 req.path.compare(0, r.prefix.size(), r.prefix) == 0 &&
                 req.path.compare(req.path.size() - r.suffix.size(), r.suffix.size(),
                                  r.suffix) == 0) {
        value =
            req.path.substr(r.prefix.size(), req.path.size() - r.prefix.size() - r.suffix.size());
        path_match = r.greedy || value.find('/') == std::string::npos;
      }
      if (!path_match) continue;
      *path_known = true;
      if (r.method == req.method || (r.method == "GET" && req.method == "HEAD")) {
        *param = std::move(value);
        return &r;
      }
    }
    if (*path_known) return nullptr;
  }
  return nullptr;
}

std::optional<HttpResponse> Router::Precheck(const HttpRequest& req) {
  bool known = false;
  std::string param;
  const Route* r = Match(req, &known, &param);
  if (r == nullptr) {
    if (known) {
      HttpResponse resp =
          HttpResponse::Error(405, "method " + req.method + " not allowed on " + req.path);
      return resp;
    }
    return HttpResponse::Error(404, "no route for " + req.path);
  }
  if (!param.empty()) {
    // Precheck sees params too; the request is const, so route through a copy of the few fields.
    HttpRequest with_params;
    with_params.method = req.method;
    with_params.path = req.path;
    with_params.query = req.query;
    with_params.target = req.target;
    with_params.header = req.header;
    with_params.content_length = req.content_length;
    with_params.params.push_back(param);
    return r->handler->Precheck(with_params);
  }
  return r->handler->Precheck(req);
}

void Router::Handle(HttpRequest req, Responder respond) {
  bool known = false;
  std::string param;
  const Route* r = Match(req, &known, &param);
  if (r == nullptr) {
    respond(HttpResponse::Error(known ? 405 : 404, "no route for " + req.method + " " + req.path));
    return;
  }
  if (!param.empty()) req.params.push_back(std::move(param));
  r->handler->Handle(std::move(req), std::move(respond));
}

std::string Router::RouteLabel(const HttpRequest& req) const {
  bool known = false;
  std::string param;
  const Route* r = Match(req, &known, &param);
  return r ? r->pattern : (known ? "method_not_allowed" : "unknown");
}

}  // namespace mailpulse
