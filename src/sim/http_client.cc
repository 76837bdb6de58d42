#include "sim/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "common/base64.h"

namespace mailpulse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Result<HttpUrl> HttpUrl::Parse(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::Invalid("URL must start with http:// (got '" + std::string(url) + "')");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl u;
  if (slash != std::string_view::npos) u.target = std::string(rest.substr(slash));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    u.user_info = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  size_t colon = authority.rfind(':');
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::Invalid("bad IPv6 host in URL");
    u.host = std::string(authority.substr(1, close - 1));
    colon = authority.find(':', close);
  } else {
    u.host = std::string(authority.substr(0, colon));
  }
  if (colon != std::string_view::npos) u.port = std::string(authority.substr(colon + 1));
  if (u.host.empty()) return Status::Invalid("URL has no host: '" + std::string(url) + "'");
  if (u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid("URL has a bad port: '" + std::string(url) + "'");
  }
  return u;
}

struct HttpClient::Impl {
  HttpUrl url;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the queued async operation to completion (bounded by the stream's
  // expiry), giving a blocking call with a timeout.
  void RunIo() {
    ioc.restart();
    ioc.run();
  }

  void Close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
    }
    stream.reset();
    buffer.clear();
  }

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(url.host, url.port,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                           });
    RunIo();
    if (ec) return Status::Retry("resolve " + url.host + ": " + ec.message());
    stream.emplace(ioc);
    stream->expires_after(timeout);
    stream->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunIo();
    if (ec) {
      Close();
      return Status::Retry("connect " + url.host + ":" + url.port + ": " + ec.message());
    }
    return Status::Ok();
  }

  Result<ClientResponse> Exchange(const http::request<http::string_body>& req, bool* keep_alive) {
    beast::error_code ec;
    stream->expires_after(timeout);
    http::async_write(*stream, req, [&](beast::error_code e, size_t) { ec = e; });
    RunIo();
    if (ec) return Status::Retry("write: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    stream->expires_after(timeout);
    http::async_read(*stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    RunIo();
    if (ec) return Status::Retry("read: " + ec.message());
    http::response<http::string_body> res = parser.release();
    *keep_alive = res.keep_alive();
    return ClientResponse{static_cast<int>(res.result_int()), std::move(res.body())};
  }
};

HttpClient::HttpClient(HttpUrl url, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->url = std::move(url);
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() { impl_->Close(); }

Result<ClientResponse> HttpClient::Post(const HttpHeaders& headers, std::string body) {
  http::request<http::string_body> req{http::verb::post, impl_->url.target, 11};
  req.set(http::field::host,
          impl_->url.port == "80" ? impl_->url.host : impl_->url.host + ":" + impl_->url.port);
  if (!impl_->url.user_info.empty()) {
    req.set(http::field::authorization, "Basic " + Base64Encode(impl_->url.user_info));
  }
  for (const auto& [name, value] : headers) req.set(name, value);
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!reused) MP_RETURN_IF_ERROR(impl_->Connect());
    bool keep_alive = false;
    Result<ClientResponse> res = impl_->Exchange(req, &keep_alive);
    if (res.ok()) {
      if (!keep_alive) impl_->Close();
      return res;
    }
    impl_->Close();
    // The server may close an idle keep-alive connection just before we
    // write; one fresh attempt tells that apart from a real outage.
    if (!reused || attempt > 0) return res.status();
  }
}

}  // namespace mailpulse
