#include "stream/kafka/kafka_url.h"

#include <charconv>

#include "common/url_query.h"

namespace mailpulse {
namespace {

constexpr std::string_view kScheme = "kafka://";

// Kafka's own rule for topic names (kafka.common.internals.Topic).
Status ValidateTopic(std::string_view t, std::string_view what) {
  if (t.empty()) return Status::Invalid(std::string(what) + " is empty");
  if (t.size() > 249) return Status::Invalid(std::string(what) + " is longer than 249 characters");
  if (t == "." || t == "..") return Status::Invalid(std::string(what) + " cannot be '.' or '..'");
  for (char c : t) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::Invalid(std::string(what) + " '" + std::string(t) +
                             "' may only contain a-z A-Z 0-9 . _ -");
    }
  }
  return Status::Ok();
}

// host:port, host being a name, an IPv4 address or a [bracketed] IPv6 address.
Status ValidateBroker(std::string_view b) {
  size_t colon = b.rfind(':');
  if (b.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == b.size()) {
    return Status::Invalid("broker '" + std::string(b) + "' must be host:port");
  }
  std::string_view host = b.substr(0, colon), port = b.substr(colon + 1);
  if (host.front() == '[' ? host.back() != ']' : host.find(':') != std::string_view::npos) {
    return Status::Invalid("broker '" + std::string(b) + "': write IPv6 hosts as [addr]:port");
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return Status::Invalid("broker '" + std::string(b) + "': port must be 1..65535");
  }
  return Status::Ok();
}

Result<int64_t> ParseInt(std::string_view key, std::string_view v, int64_t lo, int64_t hi) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) {
    return Status::Invalid(std::string(key) + "=" + std::string(v) + ": must be an integer in " +
                           std::to_string(lo) + ".." + std::to_string(hi));
  }
  return n;
}

Status ApplyParam(KafkaUrl& u, std::string_view key, std::string_view value) {
  if (key.starts_with("rdkafka.")) {
    if (key.size() == 8) return Status::Invalid("rdkafka.: property name missing");
    u.rdkafka[std::string(key.substr(8))] = std::string(value);
    return Status::Ok();
  }
  if (key == "errors_topic") {
    MP_RETURN_IF_ERROR(ValidateTopic(value, "errors_topic"));
    u.errors_topic = std::string(value);
    return Status::Ok();
  }
  if (key == "group_prefix") {
    u.group_prefix = std::string(value);
    return Status::Ok();
  }
  struct IntParam {
    std::string_view name;
    int64_t lo, hi;
  };
  static constexpr IntParam kInts[] = {
      {"partitions", 1, 100000},
      {"linger_ms", 0, 1000},
      {"delivery_timeout_ms", 100, 3600000},
      {"request_timeout_ms", 100, 600000},
      {"read_wait_ms", 0, 100},
  };
  for (const IntParam& p : kInts) {
    if (key != p.name) continue;
    MP_ASSIGN_OR_RETURN(int64_t n, ParseInt(key, value, p.lo, p.hi));
    if (key == "partitions") u.partitions = static_cast<uint32_t>(n);
    if (key == "linger_ms") u.linger_ms = static_cast<int>(n);
    if (key == "delivery_timeout_ms") u.delivery_timeout_ms = static_cast<int>(n);
    if (key == "request_timeout_ms") u.request_timeout_ms = static_cast<int>(n);
    if (key == "read_wait_ms") u.read_wait_ms = static_cast<int>(n);
    return Status::Ok();
  }
  return Status::Invalid(
      "unknown parameter '" + std::string(key) +
      "' (known: partitions, errors_topic, group_prefix, linger_ms, delivery_timeout_ms, "
      "request_timeout_ms, read_wait_ms, rdkafka.<property>)");
}

}  // namespace

Result<KafkaUrl> ParseKafkaUrl(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return Status::Invalid("stream URL '" + std::string(url) + "': " + why);
  };
  if (!url.starts_with(kScheme)) return bad("must start with kafka://");
  std::string_view rest = url.substr(kScheme.size());
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad("no topic (kafka://host:port/topic)");
  KafkaUrl u;
  std::string_view brokers = rest.substr(0, slash), topic = rest.substr(slash + 1);
  if (brokers.empty()) return bad("no brokers (kafka://host:port/topic)");
  while (!brokers.empty()) {
    size_t comma = brokers.find(',');
    std::string_view b = brokers.substr(0, comma);
    Status st = ValidateBroker(b);
    if (!st.ok()) return bad(st.message());
    if (!u.brokers.empty()) u.brokers += ',';
    u.brokers += b;
    if (comma == std::string_view::npos) break;
    brokers = brokers.substr(comma + 1);
    if (brokers.empty()) return bad("empty broker after ','");
  }
  Status st = ValidateTopic(topic, "topic");
  if (!st.ok()) return bad(st.message());
  u.topic = std::string(topic);
  for (const QueryPair& pair : SplitQuery(query)) {
    if (!pair.has_value) return bad("parameter '" + std::string(pair.key) + "' has no value");
    st = ApplyParam(u, pair.key, pair.value);
    if (!st.ok()) return bad(st.message());
  }
  if (u.errors_topic.empty()) u.errors_topic = u.topic + "-errors";
  if (u.errors_topic == u.topic) return bad("errors_topic must differ from the events topic");
  return u;
}

}  // namespace mailpulse
