#include "storage/s3/curl_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <cctype>

namespace mailpulse {
namespace {

std::once_flag g_curl_init;

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<HeaderList*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/"))
    headers->clear();  // a new response (after 100 Continue or a redirect)
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    headers->emplace_back(std::move(name), std::string(value));
  }
  return size * n;
}

Status CurlStatus(CURLcode code, const char* errbuf, const std::string& what) {
  std::string msg =
      what + ": " + (errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(code));
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::Invalid(std::move(msg));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return Status::Fail(std::move(msg));
    default:
      return Status::Retry(std::move(msg));  // connect, DNS, reset, timeout, partial body
  }
}

}  // namespace

std::string CurlResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

CurlClient::CurlClient(CurlClientOptions options) : options_(options) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlClient::~CurlClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlClient::Borrow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlClient::Return(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(handle);
}

Result<CurlResponse> CurlClient::Send(const CurlRequest& req) {
  CURL* curl = static_cast<CURL*>(Borrow());
  if (curl == nullptr) return Status::Retry("curl_easy_init failed");
  curl_easy_reset(curl);  // keeps the handle's live connections

  CurlResponse resp;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  bool has_content_type = false;
  for (const auto& [k, v] : req.headers) {
    std::string line = k + ": " + v;
    if (v.empty()) line = k + ";";  // curl's syntax for a header with an empty value
    headers = curl_slist_append(headers, line.c_str());
    if (k.size() == 12 && strncasecmp(k.c_str(), "content-type", 12) == 0) has_content_type = true;
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (!has_content_type) headers = curl_slist_append(headers, "Content-Type:");

  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp.headers);
  if (req.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (req.method == "PUT" || req.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.empty() ? "" : req.body.data());
  }

  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    // The handle may hold a broken connection; drop it rather than pool it.
    curl_easy_cleanup(curl);
    return CurlStatus(code, errbuf, req.method + " " + req.url);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp.status);
  Return(curl);
  return resp;
}

}  // namespace mailpulse
