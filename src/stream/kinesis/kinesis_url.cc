#include "stream/kinesis/kinesis_url.h"

#include <charconv>

#include "common/url_query.h"
#include "storage/s3/sigv4.h"

namespace mailpulse {
namespace {

Result<int64_t> ParseRange(std::string_view name, std::string_view v, int64_t lo, int64_t hi) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return Status::Invalid("kinesis url: " + std::string(name) + " must be an integer in " +
                           std::to_string(lo) + ".." + std::to_string(hi) + ", got '" +
                           std::string(v) + "'");
  }
  return n;
}

}  // namespace

Status ValidateKinesisStreamName(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return Status::Invalid("kinesis url: stream name must be 1..128 characters, got '" +
                           std::string(name) + "'");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) {
      return Status::Invalid("kinesis url: stream name may only hold [A-Za-z0-9_.-], got '" +
                             std::string(name) + "'");
    }
  }
  return Status::Ok();
}

Result<KinesisOptions> ParseKinesisUrl(std::string_view url, std::string_view role,
                                       const EnvLookup& env) {
  constexpr std::string_view kScheme = "kinesis://";
  if (!url.starts_with(kScheme))
    return Status::Invalid("not a kinesis:// url: " + std::string(url));
  if (role != "events" && role != "errors") {
    return Status::Invalid("kinesis url: unknown stream role '" + std::string(role) +
                           "' (events or errors)");
  }
  std::string_view rest = url.substr(kScheme.size());
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.empty()) {
    return Status::Invalid("kinesis url has no stream name: " + std::string(url) +
                           " (kinesis://STREAM?region=...)");
  }
  MP_RETURN_IF_ERROR(ValidateKinesisStreamName(rest));
  KinesisOptions o;
  o.stream = std::string(rest);
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::optional<std::string> r = env(name);
    if (r && !r->empty()) {
      o.region = *r;
      break;
    }
  }
  std::string endpoint, errors_stream;
  for (const QueryPair& pair : SplitQuery(query)) {
    std::string_view key = pair.key;
    std::string value = UriDecode(pair.value);
    if (key == "region") {
      o.region = value;
    } else if (key == "endpoint") {
      endpoint = value;
    } else if (key == "errors_stream") {
      MP_RETURN_IF_ERROR(ValidateKinesisStreamName(value));
      errors_stream = value;
    } else if (key == "senders") {
      MP_ASSIGN_OR_RETURN(int64_t n, ParseRange(key, value, 1, 64));
      o.senders = static_cast<int>(n);
    } else if (key == "retry_deadline_ms") {
      MP_ASSIGN_OR_RETURN(o.retry_deadline_ms, ParseRange(key, value, 100, 600'000));
    } else {
      return Status::Invalid("kinesis url: unknown parameter '" + std::string(key) +
                             "' (known: region, endpoint, errors_stream, senders, "
                             "retry_deadline_ms)");
    }
  }
  if (o.region.empty()) {
    return Status::Invalid(
        "kinesis url: no region (add ?region=us-east-1 or set AWS_REGION / AWS_DEFAULT_REGION)");
  }
  for (char c : o.region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::Invalid("kinesis url: invalid region '" + o.region + "'");
    }
  }
  if (endpoint.empty()) {
    o.scheme = "https";
    o.host = "kinesis." + o.region + ".amazonaws.com";
  } else {
    size_t sep = endpoint.find("://");
    if (sep == std::string::npos)
      return Status::Invalid("kinesis url: endpoint needs a scheme: " + endpoint);
    o.scheme = endpoint.substr(0, sep);
    o.host = endpoint.substr(sep + 3);
    while (!o.host.empty() && o.host.back() == '/') o.host.pop_back();
    if (o.scheme != "http" && o.scheme != "https")
      return Status::Invalid("kinesis url: endpoint scheme must be http or https: " + endpoint);
    if (o.host.empty() || o.host.find_first_of("/?#@ ") != std::string::npos) {
      return Status::Invalid("kinesis url: endpoint must be scheme://host[:port] without a path: " +
                             endpoint);
    }
  }
  if (role == "errors") o.stream = errors_stream.empty() ? o.stream + "-errors" : errors_stream;
  if (o.stream.size() > 128) {
    return Status::Invalid("kinesis url: errors stream name '" + o.stream +
                           "' is longer than 128 characters; set errors_stream=");
  }
  return o;
}

}  // namespace mailpulse
