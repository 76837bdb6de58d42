// CurlClient: blocking HTTP/1.1 over libcurl for the S3 backend.
//
// Why libcurl and not Beast: TLS, proxies, keep-alive and connection reuse
// to real S3 for free. Easy handles are pooled (a handle keeps its live
// connections across requests), so concurrent callers each borrow one and
// sequential calls reuse warm connections.
//
// Transport failures (connect refused, reset, timeout, DNS) become
// Status::Retry here and nowhere else; a malformed URL is kInvalid. HTTP
// statuses are NOT judged here: the response is returned as is and the
// caller (s3_protocol.h) maps it.
//
// Thread-safe. Bodies are passed by view and must outlive Send.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/s3/sigv4.h"

namespace mailpulse {

struct CurlRequest {
  std::string method;  // GET PUT POST DELETE HEAD
  std::string url;     // scheme://host[:port]/path?query, already encoded
  HeaderList headers;
  std::string_view body;
};

struct CurlResponse {
  long status = 0;
  HeaderList headers;  // names lowercased
  std::string body;

  // First value of a header (name lowercase), "" if absent.
  std::string Header(std::string_view name) const;
};

struct CurlClientOptions {
  long connect_timeout_ms = 5'000;
  // Abort when the transfer is slower than 1 KiB/s for this long (instead of
  // a total timeout, which large objects would hit).
  long low_speed_time_s = 30;
};

class CurlClient {
 public:
  explicit CurlClient(CurlClientOptions options = {});
  ~CurlClient();
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  Result<CurlResponse> Send(const CurlRequest& request);

 private:
  void* Borrow();
  void Return(void* handle);

  CurlClientOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* easy handles
};

}  // namespace mailpulse
