#include "delivery/prefix_template.h"

#include <ctime>
#include <random>

namespace mailpulse {
namespace {

constexpr std::string_view kDefaultTimestamp = "yyyy/MM/dd/HH/";
constexpr size_t kMaxTemplateChars = 1024;  // Firehose's Prefix field limit
constexpr size_t kMaxPartitionValue = 128;

const char* const kMonthShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kMonthLong[] = {"January",   "February", "March",    "April",
                                  "May",       "June",     "July",     "August",
                                  "September", "October",  "November", "December"};
const char* const kDayShort[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kDayLong[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                "Thursday", "Friday", "Saturday"};

void AppendPadded(std::string& out, int64_t v, int width) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  if (v < 0) out += '-';
  for (int i = static_cast<int>(digits.size()); i < width; ++i) out += '0';
  out += digits;
}

bool IsPatternLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Formats (out != nullptr) or only validates (out == nullptr).
Status FormatInto(std::string_view pattern, UnixMillis ms, std::string* out) {
  std::tm tm{};
  if (out != nullptr) {
    std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    gmtime_r(&secs, &tm);
  }
  int64_t millis = ((ms % 1000) + 1000) % 1000;
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        if (out) *out += '\'';
        i += 2;
        continue;
      }
      size_t end = i + 1;
      std::string lit;
      for (;;) {
        if (end >= pattern.size())
          return Status::Invalid("unterminated quote in date pattern '" + std::string(pattern) +
                                 "'");
        if (pattern[end] == '\'') {
          if (end + 1 < pattern.size() && pattern[end + 1] == '\'') {
            lit += '\'';
            end += 2;
            continue;
          }
          break;
        }
        lit += pattern[end++];
      }
      if (out) *out += lit;
      i = end + 1;
      continue;
    }
    if (c == '{' || c == '}' || c == '#' || c == '[' || c == ']') {
      return Status::Invalid(std::string("date pattern character '") + c + "' is not supported");
    }
    if (!IsPatternLetter(c)) {
      if (out) *out += c;
      ++i;
      continue;
    }
    int n = 0;
    while (i < pattern.size() && pattern[i] == c) ++n, ++i;
    if (out == nullptr) {
      if (std::string_view("yuMdDHhmsSaE").find(c) == std::string_view::npos) {
        return Status::Invalid(std::string("date pattern letter '") + c +
                               "' is not supported (use y M d D H h m s S a E)");
      }
      continue;
    }
    int year = tm.tm_year + 1900;
    switch (c) {
      case 'y':
      case 'u':
        if (n == 2)
          AppendPadded(*out, year % 100, 2);
        else
          AppendPadded(*out, year, n);
        break;
      case 'M':
        if (n >= 4)
          *out += kMonthLong[tm.tm_mon];
        else if (n == 3)
          *out += kMonthShort[tm.tm_mon];
        else
          AppendPadded(*out, tm.tm_mon + 1, n);
        break;
      case 'd':
        AppendPadded(*out, tm.tm_mday, n);
        break;
      case 'D':
        AppendPadded(*out, tm.tm_yday + 1, n);
        break;
      case 'H':
        AppendPadded(*out, tm.tm_hour, n);
        break;
      case 'h':
        AppendPadded(*out, tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12, n);
        break;
      case 'm':
        AppendPadded(*out, tm.tm_min, n);
        break;
      case 's':
        AppendPadded(*out, tm.tm_sec, n);
        break;
      case 'S': {
        std::string frac;
        AppendPadded(frac, millis, 3);
        frac.resize(static_cast<size_t>(n), '0');
        *out += frac;
        break;
      }
      case 'a':
        *out += tm.tm_hour < 12 ? "AM" : "PM";
        break;
      case 'E':
        *out += n >= 4 ? kDayLong[tm.tm_wday] : kDayShort[tm.tm_wday];
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

std::string RandomString() {
  // Firehose's example is "046b6c7f-0b": 8 hex, '-', 2 hex.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  uint64_t r = rng();
  for (int i = 0; i < 10; ++i) {
    if (i == 8) s += '-';
    s += kHex[(r >> (4 * i)) & 15];
  }
  return s;
}

}  // namespace

const char* PartitionKeyName(PartitionKey k) {
  switch (k) {
    case PartitionKey::kEventType:
      return "event_type";
    case PartitionKey::kCampaign:
      return "campaign";
    case PartitionKey::kCategory:
      return "category";
    case PartitionKey::kWebhook:
      return "webhook";
  }
  return "?";
}

Result<std::string> FormatTimestamp(std::string_view pattern, UnixMillis ms) {
  MP_RETURN_IF_ERROR(FormatInto(pattern, ms, nullptr));
  std::string out;
  MP_RETURN_IF_ERROR(FormatInto(pattern, ms, &out));
  return out;
}

Status ValidateTimestampPattern(std::string_view pattern) {
  return FormatInto(pattern, 0, nullptr);
}

void AppendPartitionValue(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += "__HIVE_DEFAULT_PARTITION__";
    return;
  }
  static const char kHex[] = "0123456789ABCDEF";
  // Built on the stack and appended once (this runs for every record's
  // group key). A byte may start below the limit and end 2 bytes past it.
  char seg[kMaxPartitionValue + 2];
  size_t n = 0;
  for (unsigned char c : value) {
    if (n >= kMaxPartitionValue) break;
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.';
    if (safe) {
      seg[n++] = static_cast<char>(c);
    } else {
      seg[n++] = '%';
      seg[n++] = kHex[c >> 4];
      seg[n++] = kHex[c & 15];
    }
  }
  // "." and ".." are not valid key segments.
  std::string_view v(seg, n);
  if (v == "." || v == "..") {
    for (size_t k = 0; k < v.size(); ++k) out += "%2E";
    return;
  }
  out.append(v);
}

Status PrefixTemplate::ParseInto(std::string_view text, PrefixTemplate* t) {
  if (text.size() > kMaxTemplateChars) {
    return Status::Invalid("prefix longer than " + std::to_string(kMaxTemplateChars) +
                           " characters");
  }
  t->text_ = std::string(text);
  size_t i = 0;
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) t->parts_.push_back({Op::kLiteral, std::move(literal)});
    literal.clear();
  };
  while (i < text.size()) {
    if (text[i] != '!' || i + 1 >= text.size() || text[i + 1] != '{') {
      literal += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return Status::Invalid("unterminated !{ in prefix '" + t->text_ + "'");
    std::string_view expr = text.substr(i + 2, close - i - 2);
    size_t colon = expr.find(':');
    if (colon == std::string_view::npos) {
      return Status::Invalid("expression !{" + std::string(expr) + "} needs namespace:value");
    }
    std::string_view ns = expr.substr(0, colon), val = expr.substr(colon + 1);
    flush_literal();
    if (ns == "timestamp" || ns == "event_timestamp") {
      if (val.empty()) return Status::Invalid("empty date pattern in !{" + std::string(expr) + "}");
      MP_RETURN_IF_ERROR(ValidateTimestampPattern(val));
      bool event = ns == "event_timestamp";
      t->parts_.push_back({event ? Op::kEventTimestamp : Op::kTimestamp, std::string(val)});
      t->has_timestamp_ = true;
      t->uses_event_time_ |= event;
    } else if (ns == "firehose" && val == "error-output-type") {
      t->parts_.push_back({Op::kErrorType, ""});
      t->uses_error_type_ = true;
    } else if (ns == "firehose" && val == "random-string") {
      t->parts_.push_back({Op::kRandom, ""});
      t->uses_random_ = true;
    } else if (ns == "partitionKeyFromQuery") {
      bool found = false;
      for (size_t k = 0; k < kPartitionKeyCount; ++k) {
        if (val == PartitionKeyName(static_cast<PartitionKey>(k))) {
          t->parts_.push_back({Op::kKey, "", static_cast<PartitionKey>(k)});
          found = true;
        }
      }
      if (!found) {
        return Status::Invalid("unknown partition key '" + std::string(val) +
                               "' (known: event_type, campaign, category, webhook)");
      }
      t->uses_keys_ = true;
    } else {
      return Status::Invalid("unsupported expression !{" + std::string(expr) + "}");
    }
    i = close + 1;
  }
  flush_literal();
  return Status::Ok();
}

Result<PrefixTemplate> PrefixTemplate::Parse(std::string_view text, Kind kind) {
  PrefixTemplate t;
  MP_RETURN_IF_ERROR(ParseInto(text, &t));
  if (kind == Kind::kData) {
    if (t.uses_error_type_)
      return Status::Invalid("!{firehose:error-output-type} is only allowed in the error prefix");
    if (!t.has_timestamp_) {
      // Firehose appends the default time folders to a prefix without any.
      std::string full(text);
      if (!full.empty() && full.back() != '/') full += '/';
      full += "!{timestamp:" + std::string(kDefaultTimestamp) + "}";
      PrefixTemplate appended;
      MP_RETURN_IF_ERROR(ParseInto(full, &appended));
      return appended;
    }
  } else {
    if (!t.uses_error_type_)
      return Status::Invalid("the error prefix must contain !{firehose:error-output-type}");
    if (t.uses_keys_) return Status::Invalid("partition keys are not allowed in the error prefix");
    if (t.uses_event_time_)
      return Status::Invalid("!{event_timestamp:...} is not allowed in the error prefix");
  }
  return t;
}

Status PrefixTemplate::ParsePair(std::string_view prefix, std::string_view error_prefix,
                                 PrefixTemplate* data, PrefixTemplate* error) {
  bool has_expression = prefix.find("!{") != std::string_view::npos;
  MP_ASSIGN_OR_RETURN(*data, Parse(prefix, Kind::kData));
  if (!error_prefix.empty()) {
    MP_ASSIGN_OR_RETURN(*error, Parse(error_prefix, Kind::kError));
    return Status::Ok();
  }
  if (has_expression) {
    return Status::Invalid(
        "a prefix with expressions needs an error prefix containing !{firehose:error-output-type}");
  }
  std::string derived(prefix);
  if (!derived.empty() && derived.back() != '/') derived += '/';
  derived += "!{firehose:error-output-type}/!{timestamp:" + std::string(kDefaultTimestamp) + "}";
  MP_ASSIGN_OR_RETURN(*error, Parse(derived, Kind::kError));
  return Status::Ok();
}

std::string PrefixTemplate::Evaluate(const PrefixValues& v) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.op) {
      case Op::kLiteral:
        out += p.text;
        break;
      // Patterns were validated by Parse, so formatting cannot fail.
      case Op::kTimestamp:
        (void)FormatInto(p.text, v.arrival_ms, &out);
        break;
      case Op::kEventTimestamp:
        (void)FormatInto(p.text, v.event_ms, &out);
        break;
      case Op::kErrorType:
        out += v.error_output_type;
        break;
      case Op::kRandom:
        out += RandomString();
        break;
      case Op::kKey:
        AppendPartitionValue(out, v.keys[static_cast<size_t>(p.key)]);
        break;
    }
  }
  return out;
}

std::string PrefixTemplate::GroupKey(const PrefixValues& v) const {
  std::string out;
  AppendGroupKey(out, v);
  return out;
}

void PrefixTemplate::AppendGroupKey(std::string& out, const PrefixValues& v) const {
  for (const Part& p : parts_) {
    if (p.op == Op::kEventTimestamp) {
      (void)FormatInto(p.text, v.event_ms, &out);
      out += '\x1f';
    } else if (p.op == Op::kKey) {
      AppendPartitionValue(out, v.keys[static_cast<size_t>(p.key)]);
      out += '\x1f';
    }
  }
}

}  // namespace mailpulse
