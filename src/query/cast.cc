#include "query/cast.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>

#include "query/keywords.h"

namespace mailpulse::query {
namespace {

Status CastFailed(const Value& v, CastType to) {
  std::string shown = v.type() == ValueType::kString ? "'" + v.as_string() + "'" : ToText(v);
  if (shown.size() > 64) shown = shown.substr(0, 64) + "...";
  return Status::Invalid(fmt::format("CastFailed: cannot cast {} {} to {}", ValueTypeName(v.type()),
                                     shown, CastTypeName(to)));
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseDouble(std::string_view s, double* out) {
  s = TrimSpaces(s);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Whole doubles inside int64's range (2^63 is not).
bool DoubleToInt(double d, int64_t* out) {
  if (!std::isfinite(d)) return false;
  d = std::trunc(d);
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

}  // namespace

Result<Value> CastValue(const Value& v, CastType to) {
  if (v.is_absent()) return v;
  switch (to) {
    case CastType::kInt: {
      int64_t i = 0;
      switch (v.type()) {
        case ValueType::kInt:
          return v;
        case ValueType::kBool:
          return Value::Int(v.as_bool() ? 1 : 0);
        case ValueType::kFloat:
        case ValueType::kDecimal:
          if (DoubleToInt(v.as_double(), &i)) return Value::Int(i);
          break;
        case ValueType::kString: {
          std::string_view s = TrimSpaces(v.as_string());
          if (!s.empty() && s.front() == '+') s.remove_prefix(1);
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
          if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return Value::Int(i);
          double d = 0;
          if (ParseDouble(v.as_string(), &d) && DoubleToInt(d, &i)) return Value::Int(i);
          break;
        }
        default:
          break;
      }
      return CastFailed(v, to);
    }
    case CastType::kFloat:
    case CastType::kDecimal: {
      double d = 0;
      bool ok = true;
      if (v.is_number()) {
        d = v.as_double();
      } else if (v.type() == ValueType::kBool) {
        d = v.as_bool() ? 1 : 0;
      } else if (v.type() == ValueType::kString) {
        ok = ParseDouble(v.as_string(), &d);
      } else {
        ok = false;
      }
      if (!ok) return CastFailed(v, to);
      return to == CastType::kFloat ? Value::Float(d) : Value::Decimal(d);
    }
    case CastType::kString:
      if (v.type() == ValueType::kList || v.type() == ValueType::kStruct) break;
      return Value::String(ToText(v));
    case CastType::kBool:
      if (v.type() == ValueType::kBool) return v;
      if (v.is_number()) return Value::Bool(v.as_double() != 0);
      if (v.type() == ValueType::kString) {
        std::string_view s = TrimSpaces(v.as_string());
        if (EqualsNoCase(s, "true")) return Value::Bool(true);
        if (EqualsNoCase(s, "false")) return Value::Bool(false);
      }
      break;
    case CastType::kTimestamp:
      if (v.type() == ValueType::kTimestamp) return v;
      if (v.type() == ValueType::kString) {
        Result<Timestamp> ts = ParseTimestamp(TrimSpaces(v.as_string()));
        if (ts.ok()) return Value::Time(*ts);
      }
      break;
  }
  return CastFailed(v, to);
}

Result<int64_t> IntegerArgument(const Value& v, const char* what) {
  int64_t i = 0;
  if (v.type() == ValueType::kInt) return v.as_int();
  if (v.is_number() && std::trunc(v.as_double()) == v.as_double() &&
      DoubleToInt(v.as_double(), &i)) {
    return i;
  }
  return Status::Invalid(
      fmt::format("{} must be an integer, got {} {}", what, ValueTypeName(v.type()), ToText(v)));
}

}  // namespace mailpulse::query
