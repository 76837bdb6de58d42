#include "common/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace mailpulse {
namespace {

// clang-format off
constexpr ConfigKey kKeys[] = {
  {"listen", ConfigType::kString, "127.0.0.1:8080", "HTTP listen address, HOST:PORT."},
  {"data_dir", ConfigType::kString, "./data", "Directory for the embedded stream, checkpoints and the local lake."},
  {"sendgrid_public_key", ConfigType::kString, "", "Verification key of the default webhook (base64 DER, as SendGrid shows it)."},
  {"webhook_keys", ConfigType::kList, "", "Keys of named webhooks, NAME=BASE64 entries, comma-separated; each serves POST /v1/webhooks/sendgrid/NAME."},
  {"allow_unsigned", ConfigType::kBool, "false", "Accept requests without a valid signature (logs a warning at start). For local testing only."},
  {"signature_max_age", ConfigType::kSeconds, "0", "Refuse signed requests whose timestamp header is older than this (0 = off; SendGrid retries for 24h, so keep it >= 25h if set)."},
  {"basic_auth", ConfigType::kString, "", "Require HTTP basic auth USER:PASSWORD on webhook routes (SendGrid supports https://user:pass@host/ URLs)."},
  {"bearer_tokens", ConfigType::kList, "", "Accept any of these bearer tokens on webhook routes (e.g. SendGrid OAuth access tokens), comma-separated."},
  {"api_token", ConfigType::kString, "", "Bearer token required by the KPI and query API (/v1/campaigns, /v1/query)."},
  {"campaign_key", ConfigType::kList, "singlesend_id,marketing_campaign_id,category", "Event fields naming a campaign for the KPIs, first present wins (singlesend_id, marketing_campaign_id, category)."},
  {"analytics_memory", ConfigType::kBytes, "1GiB", "Memory budget of the per-message KPI state (unique opens/clicks); beyond it the least recently seen messages spill to DATA_DIR/analytics/spill (RocksDB), so counts stay exact."},
  {"analytics_bot_clicks", ConfigType::kBool, "true", "Flag likely bot (link scanner) clicks: report bot_clicks, human_unique_clicks and human_click_rate beside SendGrid's click figures."},
  {"analytics_bot_click_window", ConfigType::kSeconds, "10", "A click less than this long after its message's delivered event (or before it) is a bot click; 0 = rule off."},
  {"analytics_bot_burst_links", ConfigType::kInt, "3", "A click that makes this many new links of one message clicked in one burst (each click at most 1 s after the previous) is a bot click; 0 = rule off."},
  {"analytics_snapshot_interval", ConfigType::kSeconds, "30", "How often the KPI state is snapshotted to DATA_DIR/analytics (with the stream positions it covers)."},
  {"analytics_minute_retention", ConfigType::kSeconds, "48h", "Keep per-minute KPI buckets this long before the newest event (hour and day buckets are kept); 0 = forever."},
  {"roles", ConfigType::kList, "ingest,deliver,analytics", "Stages this process runs: ingest (webhook -> stream), deliver (stream -> lake), analytics (KPIs, API, dashboard). With the embedded stream, a stage left out catches up from its checkpoint when a later run includes it."},
  {"stream", ConfigType::kString, "", "Stream backend URL; empty (or local) means the embedded log under DATA_DIR/stream; kinesis://STREAM?region=R[&endpoint=URL] is Amazon Kinesis Data Streams (docs/kinesis.md); kafka://BROKER[,BROKER...]/TOPIC is Apache Kafka (docs/kafka.md)."},
  {"lake", ConfigType::kString, "", "Lake URL (directory or s3://bucket/prefix); empty means DATA_DIR/lake."},
  {"flush_interval", ConfigType::kSeconds, "60", "Delivery buffering interval in seconds, 0-900 (Firehose's IntervalInSeconds); a batch is written when this or buffer_size is reached first."},
  {"buffer_size", ConfigType::kBytes, "8MiB", "Delivery buffering size per shard, uncompressed, 1-128 MiB (Firehose's SizeInMBs)."},
  {"lake_put_concurrency", ConfigType::kInt, "16", "Object puts delivery keeps in flight at once (per stream; 1 = one at a time). Overlaps fsyncs on a local lake and round trips on S3."},
  {"lake_encoding", ConfigType::kString, "jsonl.gz", "Lake object encoding: jsonl.gz (Firehose's GZIP), jsonl.zst or jsonl."},
  {"lake_compression_level", ConfigType::kInt, "0", "Compression level of lake objects (0 = the encoding's default: gzip 1, zstd 1). gzip 1-3 use ISA-L's igzip (fast), 4-12 libdeflate (smaller, slower)."},
  {"lake_prefix", ConfigType::kString, "events/event_type=!{partitionKeyFromQuery:event_type}/campaign=!{partitionKeyFromQuery:campaign}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/", "Lake key prefix in Firehose syntax (docs/formats/lake-object.md); !{event_timestamp:...} partitions by event time."},
  {"lake_error_prefix", ConfigType::kString, "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/", "Lake key prefix for records that cannot be delivered; must contain !{firehose:error-output-type}."},
  {"query_timeout", ConfigType::kSeconds, "300", "`mailpulse query`: stop a query that runs longer than this (0 = no limit)."},
  {"query_max_rows", ConfigType::kInt, "1000000", "`mailpulse query`: most rows ORDER BY (or table output) may hold in memory; beyond it the query stops."},
  {"query_max_groups", ConfigType::kInt, "100000", "`mailpulse query`: most GROUP BY groups (and COUNT(DISTINCT) values) a query may hold; beyond it the query stops."},
  {"query_threads", ConfigType::kInt, "2", "`mailpulse query`: lake objects fetched and decoded in parallel."},
  {"max_body", ConfigType::kBytes, "4MiB", "Largest accepted request body; larger bodies get 413."},
  {"header_timeout", ConfigType::kSeconds, "10", "Seconds allowed to read request headers (and between keep-alive requests)."},
  {"body_timeout", ConfigType::kSeconds, "30", "Seconds allowed to read a request body."},
  {"max_connections", ConfigType::kInt, "10000", "Open connections beyond this are closed at accept."},
  {"threads", ConfigType::kInt, "0", "HTTP worker threads; 0 = one per core."},
  {"shards", ConfigType::kInt, "4", "Shards of the embedded stream (fixed when the stream is created)."},
  {"segment_size", ConfigType::kBytes, "128MiB", "Embedded log segment size before rolling to a new file."},
  {"retention", ConfigType::kSeconds, "168h", "Delete whole segments older than this (and already read by every consumer)."},
  {"retention_bytes", ConfigType::kBytes, "0", "Per-shard byte cap for the embedded log, oldest segments first (0 = no cap)."},
  {"disk_budget", ConfigType::kBytes, "8GiB", "Total bytes the embedded log may use; appends beyond it answer 503 until space frees."},
  {"compression_level", ConfigType::kInt, "-1", "zstd level for log record batches (negative = faster, 0 = store uncompressed). The default -1 (zstd's fastest positive-ratio mode) took 3-4 % more end-to-end throughput than 1 on two cores (docs/benchmarks.md)."},
  {"dedupe_window", ConfigType::kSeconds, "24h", "Remember event ids this long to drop SendGrid's duplicate deliveries."},
  {"dedupe_memory", ConfigType::kBytes, "128MiB", "Memory budget of the dedupe index; when full the oldest entries go first (metric dedupe_window_effective_seconds)."},
  {"lambda_deadline_margin", ConfigType::kSeconds, "1", "`mailpulse lambda`: if the stream has not acknowledged a request this long before the invocation's deadline, answer 503 with Retry-After (SendGrid retries) instead of waiting."},
  {"log_level", ConfigType::kString, "info", "trace, debug, info, warn, error."},
};
// clang-format on

const ConfigKey* Find(std::string_view key) {
  for (const auto& k : kKeys) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

Result<int64_t> ParseIntStrict(const std::string& text) {
  std::string t = Trim(text);
  if (t.empty()) return Status::Invalid("empty number");
  size_t pos = 0;
  int64_t v = 0;
  try {
    v = std::stoll(t, &pos, 10);
  } catch (const std::exception&) {
    return Status::Invalid("not a number: '" + text + "'");
  }
  if (pos != t.size()) return Status::Invalid("not a number: '" + text + "'");
  return v;
}

Result<bool> ParseBool(const std::string& text) {
  std::string t = Trim(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off" || t.empty()) return false;
  return Status::Invalid("not a boolean: '" + text + "'");
}

// Splits "12.5MiB" into number and unit.
std::pair<std::string, std::string> SplitUnit(const std::string& text) {
  std::string t = Trim(text);
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '-')) ++i;
  return {t.substr(0, i), Trim(t.substr(i))};
}

}  // namespace

std::span<const ConfigKey> ConfigKeys() { return kKeys; }

std::string FlagName(const ConfigKey& k) {
  std::string s = std::string("--") + k.key;
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

std::string EnvName(const ConfigKey& k) {
  std::string s = std::string("MAILPULSE_") + k.key;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

const char* ConfigTypeName(ConfigType t) {
  switch (t) {
    case ConfigType::kString:
      return "string";
    case ConfigType::kInt:
      return "integer";
    case ConfigType::kBool:
      return "bool";
    case ConfigType::kBytes:
      return "bytes";
    case ConfigType::kSeconds:
      return "duration";
    case ConfigType::kList:
      return "list";
  }
  return "?";
}

Result<int64_t> ParseBytes(const std::string& text) {
  auto [num, unit] = SplitUnit(text);
  MP_ASSIGN_OR_RETURN(int64_t n, ParseIntStrict(num));
  if (n < 0) return Status::Invalid("negative size: '" + text + "'");
  std::string u = unit;
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::tolower(c); });
  int64_t mult = 1;
  if (u.empty() || u == "b")
    mult = 1;
  else if (u == "k" || u == "kib")
    mult = int64_t{1} << 10;
  else if (u == "m" || u == "mib")
    mult = int64_t{1} << 20;
  else if (u == "g" || u == "gib")
    mult = int64_t{1} << 30;
  else if (u == "t" || u == "tib")
    mult = int64_t{1} << 40;
  else if (u == "kb")
    mult = 1000;
  else if (u == "mb")
    mult = 1000 * 1000;
  else if (u == "gb")
    mult = 1000 * 1000 * 1000;
  else
    return Status::Invalid("unknown size unit '" + unit + "' in '" + text +
                           "' (use KiB, MiB, GiB)");
  return n * mult;
}

Result<int64_t> ParseSeconds(const std::string& text) {
  auto [num, unit] = SplitUnit(text);
  MP_ASSIGN_OR_RETURN(int64_t n, ParseIntStrict(num));
  if (n < 0) return Status::Invalid("negative duration: '" + text + "'");
  int64_t mult = 1;
  if (unit.empty() || unit == "s")
    mult = 1;
  else if (unit == "m")
    mult = 60;
  else if (unit == "h")
    mult = 3600;
  else if (unit == "d")
    mult = 86400;
  else
    return Status::Invalid("unknown duration unit '" + unit + "' in '" + text +
                           "' (use s, m, h, d)");
  return n * mult;
}

Config::Config() {
  for (const auto& k : kKeys) values_[k.key] = k.default_value;
}

Status Config::Set(const std::string& key, const std::string& value) {
  const ConfigKey* k = Find(key);
  if (k == nullptr) return Status::Invalid("unknown configuration key '" + key + "'");
  switch (k->type) {
    case ConfigType::kInt:
      MP_RETURN_IF_ERROR(ParseIntStrict(value).status());
      break;
    case ConfigType::kBool:
      MP_RETURN_IF_ERROR(ParseBool(value).status());
      break;
    case ConfigType::kBytes:
      MP_RETURN_IF_ERROR(ParseBytes(value).status());
      break;
    case ConfigType::kSeconds:
      MP_RETURN_IF_ERROR(ParseSeconds(value).status());
      break;
    case ConfigType::kString:
    case ConfigType::kList:
      break;
  }
  values_[k->key] = value;
  return Status::Ok();
}

Status Config::LoadToml(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::Invalid("config " + path + ": " + std::string(e.description()) + " at line " +
                           std::to_string(e.source().begin.line));
  }
  for (auto&& [key, node] : table) {
    std::string name(key.str());
    std::string text;
    // Exact node types: toml++'s value<T>() converts between types (an
    // integer reads as a bool), which would turn `shards = 8` into "true".
    if (node.is_string()) {
      text = *node.value<std::string>();
    } else if (node.is_boolean()) {
      text = *node.value<bool>() ? "true" : "false";
    } else if (node.is_integer()) {
      text = std::to_string(*node.value<int64_t>());
    } else if (const toml::array* arr = node.as_array()) {
      for (const auto& el : *arr) {
        auto s = el.value<std::string>();
        if (!s)
          return Status::Invalid("config " + path + ": '" + name + "' must be a list of strings");
        if (!text.empty()) text += ",";
        text += *s;
      }
    } else {
      return Status::Invalid("config " + path + ": '" + name + "' has an unsupported type");
    }
    Status st = Set(name, text);
    if (!st.ok()) return Status::Invalid("config " + path + ": " + st.message());
  }
  return Status::Ok();
}

Status Config::LoadEnvironment() {
  for (const auto& k : kKeys) {
    const char* v = std::getenv(EnvName(k).c_str());
    if (v == nullptr) continue;
    Status st = Set(k.key, v);
    if (!st.ok()) return Status::Invalid(EnvName(k) + ": " + st.message());
  }
  return Status::Ok();
}

const std::string& Config::GetString(const std::string& key) const {
  auto it = values_.find(key);
  assert(it != values_.end() && "unknown config key");
  return it->second;
}

int64_t Config::GetInt(const std::string& key) const {
  const ConfigKey* k = Find(key);
  assert(k != nullptr);
  const std::string& v = GetString(key);
  Result<int64_t> r = k->type == ConfigType::kBytes     ? ParseBytes(v)
                      : k->type == ConfigType::kSeconds ? ParseSeconds(v)
                                                        : ParseIntStrict(v);
  return r.ok() ? *r : 0;  // values are validated in Set()
}

bool Config::GetBool(const std::string& key) const {
  auto r = ParseBool(GetString(key));
  return r.ok() && *r;
}

std::vector<std::string> Config::GetList(const std::string& key) const {
  std::vector<std::string> out;
  const std::string& v = GetString(key);
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    std::string item = Trim(v.substr(start, comma - start));
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string Config::MarkdownReference() {
  std::string out =
      "| key (TOML) | flag | environment | type | default | description |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& k : kKeys) {
    out += "| `" + std::string(k.key) + "` | `" + FlagName(k) + "` | `" + EnvName(k) + "` | " +
           ConfigTypeName(k.type) + " | `" + k.default_value + "` | " + k.description + " |\n";
  }
  return out;
}

}  // namespace mailpulse
