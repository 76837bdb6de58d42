#include "query/date_functions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>

#include "query/cast.h"
#include "query/keywords.h"

namespace mailpulse::query {
namespace {

Result<Timestamp> TimestampArgument(const char* fn, const Value& v) {
  if (v.type() != ValueType::kTimestamp) {
    return Status::Invalid(
        fmt::format("{} expects a TIMESTAMP, got {}", fn, ValueTypeName(v.type())));
  }
  return v.as_timestamp();
}

Status BadPart(const char* fn, const std::string& part) {
  return Status::Invalid(fmt::format("{} does not support the date part '{}'", fn, part));
}

Result<Value> Checked(Timestamp ts) {
  if (ts.year < 0 || ts.year > 9999)
    return Status::Invalid("timestamp out of range (years 0000-9999)");
  return Value::Time(ts);
}

Timestamp AddSeconds(const Timestamp& ts, int64_t seconds, TsPrecision at_least) {
  TsPrecision p = ts.precision < at_least ? at_least : ts.precision;
  return TimestampFromEpoch(ts.EpochSeconds() + seconds, ts.nanos, ts.offset_minutes,
                            ts.offset_known, p, ts.frac_digits);
}

// Whole months from a to b (truncated toward zero), by local fields.
int64_t MonthsBetween(const Timestamp& a, const Timestamp& b) {
  int64_t m = (static_cast<int64_t>(b.year) - a.year) * 12 + (b.month - a.month);
  auto rest = [](const Timestamp& t) {
    return std::tuple(t.day, t.hour, t.minute, t.second, t.nanos);
  };
  if (m > 0 && rest(b) < rest(a)) --m;
  if (m < 0 && rest(b) > rest(a)) ++m;
  return m;
}

}  // namespace

Result<Value> DateAdd(const std::vector<Value>& args, const EvalContext&) {
  const std::string& part = args[0].as_string();
  MP_ASSIGN_OR_RETURN(int64_t n, IntegerArgument(args[1], "DATE_ADD's quantity"));
  MP_ASSIGN_OR_RETURN(Timestamp ts, TimestampArgument("DATE_ADD", args[2]));
  if (n > 1'000'000'000'000LL || n < -1'000'000'000'000LL) {
    return Status::Invalid("DATE_ADD quantity out of range");
  }
  if (part == "year" || part == "month") {
    int64_t months = part == "year" ? n * 12 : n;
    int64_t total = static_cast<int64_t>(ts.year) * 12 + (ts.month - 1) + months;
    if (total < 0 || total >= 10000 * 12)
      return Status::Invalid("timestamp out of range (years 0000-9999)");
    ts.year = static_cast<int>(total / 12);
    ts.month = static_cast<int>(total % 12) + 1;
    ts.day = std::min(ts.day, DaysInMonth(ts.year, ts.month));
    if (part == "month" && ts.precision < TsPrecision::kMonth) ts.precision = TsPrecision::kMonth;
    return Value::Time(ts);
  }
  if (n > 1'000'000'000'000LL / 86400 || n < -1'000'000'000'000LL / 86400) {
    return Status::Invalid("DATE_ADD quantity out of range");
  }
  if (part == "day") return Checked(AddSeconds(ts, n * 86400, TsPrecision::kDay));
  if (part == "hour") return Checked(AddSeconds(ts, n * 3600, TsPrecision::kMinute));
  if (part == "minute") return Checked(AddSeconds(ts, n * 60, TsPrecision::kMinute));
  if (part == "second") return Checked(AddSeconds(ts, n, TsPrecision::kSecond));
  return BadPart("DATE_ADD", part);
}

Result<Value> DateDiff(const std::vector<Value>& args, const EvalContext&) {
  const std::string& part = args[0].as_string();
  MP_ASSIGN_OR_RETURN(Timestamp a, TimestampArgument("DATE_DIFF", args[1]));
  MP_ASSIGN_OR_RETURN(Timestamp b, TimestampArgument("DATE_DIFF", args[2]));
  if (part == "year") return Value::Int(MonthsBetween(a, b) / 12);
  if (part == "month") return Value::Int(MonthsBetween(a, b));
  int64_t d = b.EpochSeconds() - a.EpochSeconds();
  if (d > 0 && b.nanos < a.nanos) --d;
  if (d < 0 && b.nanos > a.nanos) ++d;
  if (part == "day") return Value::Int(d / 86400);
  if (part == "hour") return Value::Int(d / 3600);
  if (part == "minute") return Value::Int(d / 60);
  if (part == "second") return Value::Int(d);
  return BadPart("DATE_DIFF", part);
}

Result<Value> Extract(const std::vector<Value>& args, const EvalContext&) {
  const std::string& part = args[0].as_string();
  MP_ASSIGN_OR_RETURN(Timestamp ts, TimestampArgument("EXTRACT", args[1]));
  if (part == "year") return Value::Int(ts.year);
  if (part == "month") return Value::Int(ts.month);
  if (part == "day") return Value::Int(ts.day);
  if (part == "hour") return Value::Int(ts.hour);
  if (part == "minute") return Value::Int(ts.minute);
  if (part == "second") return Value::Int(ts.second);
  if (part == "timezone_hour") return Value::Int(ts.offset_minutes / 60);
  if (part == "timezone_minute") return Value::Int(ts.offset_minutes % 60);
  return BadPart("EXTRACT", part);
}

Result<Value> DateTrunc(const std::vector<Value>& args, const EvalContext&) {
  if (args[0].type() != ValueType::kString) {
    return Status::Invalid("DATE_TRUNC expects a date part string ('hour', 'day', ...) first");
  }
  std::string part = AsciiLower(args[0].as_string());
  MP_ASSIGN_OR_RETURN(Timestamp ts, TimestampArgument("DATE_TRUNC", args[1]));
  struct Rule {
    const char* part;
    TsPrecision precision;
    int keep;  // fields kept: 1 year .. 6 second
  };
  static const Rule kRules[] = {
      {"year", TsPrecision::kYear, 1},     {"month", TsPrecision::kMonth, 2},
      {"day", TsPrecision::kDay, 3},       {"hour", TsPrecision::kMinute, 4},
      {"minute", TsPrecision::kMinute, 5}, {"second", TsPrecision::kSecond, 6}};
  for (const Rule& r : kRules) {
    if (part != r.part) continue;
    if (r.keep < 2) ts.month = 1;
    if (r.keep < 3) ts.day = 1;
    if (r.keep < 4) ts.hour = 0;
    if (r.keep < 5) ts.minute = 0;
    if (r.keep < 6) ts.second = 0;
    ts.nanos = 0;
    ts.frac_digits = 0;
    if (ts.precision > r.precision) ts.precision = r.precision;
    return Value::Time(ts);
  }
  return BadPart("DATE_TRUNC", part);
}

Result<Value> ToStringFn(const std::vector<Value>& args, const EvalContext&) {
  MP_ASSIGN_OR_RETURN(Timestamp ts, TimestampArgument("TO_STRING", args[0]));
  if (args[1].type() != ValueType::kString)
    return Status::Invalid("TO_STRING expects a STRING pattern");
  MP_ASSIGN_OR_RETURN(std::string text, FormatTimestampPattern(ts, args[1].as_string()));
  return Value::String(std::move(text));
}

Result<Value> ToTimestamp(const std::vector<Value>& args, const EvalContext&) {
  const Value& v = args[0];
  if (v.is_number()) {  // extension: seconds since the epoch (SendGrid's `timestamp`)
    double d = v.as_double();
    if (!std::isfinite(d) || d < -62135596800.0 || d > 253402300799.0) {
      return Status::Invalid("TO_TIMESTAMP: epoch seconds out of range");
    }
    double whole = std::floor(d);
    int nanos = static_cast<int>(std::llround((d - whole) * 1e9));
    if (nanos >= 1'000'000'000) nanos = 999'999'999;
    bool frac = v.type() != ValueType::kInt && nanos != 0;
    return Value::Time(TimestampFromEpoch(static_cast<int64_t>(whole), nanos, 0, true,
                                          frac ? TsPrecision::kFraction : TsPrecision::kSecond,
                                          frac ? 3 : 0));
  }
  if (v.type() != ValueType::kString) {
    return Status::Invalid(
        fmt::format("TO_TIMESTAMP expects a STRING, got {}", ValueTypeName(v.type())));
  }
  return CastValue(v, CastType::kTimestamp);
}

Result<Value> UtcNow(const std::vector<Value>&, const EvalContext& ctx) {
  return Value::Time(ctx.now);
}

}  // namespace mailpulse::query
