#include "query/value.h"

#include <fmt/format.h>

#include <cmath>

#include "common/json_escape.h"
#include "query/keywords.h"

namespace mailpulse::query {
namespace {

// Rank of a type in TotalOrder.
int KindRank(ValueType t) {
  switch (t) {
    case ValueType::kMissing:
    case ValueType::kNull:
      return 0;
    case ValueType::kBool:
      return 1;
    case ValueType::kInt:
    case ValueType::kFloat:
    case ValueType::kDecimal:
      return 2;
    case ValueType::kTimestamp:
      return 3;
    case ValueType::kString:
      return 4;
    case ValueType::kList:
      return 5;
    case ValueType::kStruct:
      return 6;
  }
  return 7;
}

int Sign(double d) { return d < 0 ? -1 : (d > 0 ? 1 : 0); }

std::string FormatDouble(double d) { return fmt::format("{}", d); }

}  // namespace

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kMissing:
      return "MISSING";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBool:
      return "BOOL";
    case ValueType::kInt:
      return "INT";
    case ValueType::kFloat:
      return "FLOAT";
    case ValueType::kDecimal:
      return "DECIMAL";
    case ValueType::kString:
      return "STRING";
    case ValueType::kTimestamp:
      return "TIMESTAMP";
    case ValueType::kList:
      return "LIST";
    case ValueType::kStruct:
      return "STRUCT";
  }
  return "?";
}

Result<Value> LookupField(const Value& v, std::string_view name, bool case_sensitive) {
  if (v.type() != ValueType::kStruct) return Value::Missing();
  const Value::Struct& s = v.as_struct();
  const Value* found = nullptr;
  for (const auto& [key, value] : s) {
    if (key == name) {
      if (case_sensitive) return value;
      found = &value;
      break;
    }
  }
  if (!case_sensitive) {
    int matches = 0;
    for (const auto& [key, value] : s) {
      if (EqualsNoCase(key, name)) {
        if (found == nullptr) found = &value;
        ++matches;
      }
    }
    if (matches > 1) {
      return Status::Invalid(
          fmt::format("AmbiguousFieldName: '{}' matches {} fields; quote it to match case exactly",
                      name, matches));
    }
  }
  if (found != nullptr) return *found;
  if (name.size() > 1 && name[0] == '_') {
    size_t n = 0;
    for (char c : name.substr(1)) {
      if (c < '0' || c > '9' || n > s.size()) return Value::Missing();
      n = n * 10 + static_cast<size_t>(c - '0');
    }
    if (n >= 1 && n <= s.size()) return s[n - 1].second;
  }
  return Value::Missing();
}

std::optional<int> CompareValues(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.type() == ValueType::kInt && b.type() == ValueType::kInt) {
      return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
    }
    double x = a.as_double(), y = b.as_double();
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return Sign(x - y);
  }
  if (a.type() != b.type()) return std::nullopt;
  switch (a.type()) {
    case ValueType::kBool:
      return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    case ValueType::kString: {
      int c = a.as_string().compare(b.as_string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case ValueType::kTimestamp:
      return a.as_timestamp().CompareInstant(b.as_timestamp());
    default:
      return std::nullopt;
  }
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.type() == ValueType::kList && b.type() == ValueType::kList) {
    const auto &x = a.as_list(), &y = b.as_list();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!ValuesEqual(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.type() == ValueType::kStruct && b.type() == ValueType::kStruct) {
    const auto &x = a.as_struct(), &y = b.as_struct();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].first != y[i].first || !ValuesEqual(x[i].second, y[i].second)) return false;
    }
    return true;
  }
  if (a.is_absent() || b.is_absent()) return a.type() == b.type();
  std::optional<int> c = CompareValues(a, b);
  return c.has_value() && *c == 0;
}

int TotalOrder(const Value& a, const Value& b) {
  int ra = KindRank(a.type()), rb = KindRank(b.type());
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 2 || ra == 1 || ra == 3 || ra == 4) {
    std::optional<int> c = CompareValues(a, b);
    return c.value_or(0);
  }
  if (ra == 5 || ra == 6) {
    std::string x, y;
    AppendJson(x, a);
    AppendJson(y, b);
    int c = x.compare(y);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return 0;
}

void AppendJson(std::string& out, const Value& v) {
  switch (v.type()) {
    case ValueType::kMissing:
    case ValueType::kNull:
      out += "null";
      return;
    case ValueType::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case ValueType::kInt:
      out += fmt::format("{}", v.as_int());
      return;
    case ValueType::kFloat:
    case ValueType::kDecimal:
      out += std::isfinite(v.as_double()) ? FormatDouble(v.as_double()) : "null";
      return;
    case ValueType::kString:
      AppendJsonString(out, v.as_string());
      return;
    case ValueType::kTimestamp:
      AppendJsonString(out, FormatTimestamp(v.as_timestamp()));
      return;
    case ValueType::kList: {
      out += '[';
      bool first = true;
      for (const Value& e : v.as_list()) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, e);
      }
      out += ']';
      return;
    }
    case ValueType::kStruct: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.as_struct()) {
        if (e.is_missing()) continue;
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, k);
        out += ':';
        AppendJson(out, e);
      }
      out += '}';
      return;
    }
  }
}

std::string ToText(const Value& v) {
  switch (v.type()) {
    case ValueType::kMissing:
    case ValueType::kNull:
      return "";
    case ValueType::kString:
      return v.as_string();
    case ValueType::kTimestamp:
      return FormatTimestamp(v.as_timestamp());
    case ValueType::kFloat:
    case ValueType::kDecimal:
      return FormatDouble(v.as_double());
    default: {
      std::string out;
      AppendJson(out, v);
      return out;
    }
  }
}

void AppendKey(std::string& out, const Value& v) {
  if (v.is_number()) {
    double d = v.as_double();
    if (v.type() == ValueType::kInt) {
      out += fmt::format("i{};", v.as_int());
    } else if (std::trunc(d) == d && std::fabs(d) < 9.0e18) {
      out += fmt::format("i{};", static_cast<int64_t>(d));
    } else {
      out += fmt::format("f{};", d);
    }
    return;
  }
  if (v.type() == ValueType::kTimestamp) {
    const Timestamp& t = v.as_timestamp();
    out += fmt::format("t{}.{};", t.EpochSeconds(), t.nanos);
    return;
  }
  out += static_cast<char>('A' + static_cast<int>(v.type()));
  AppendJson(out, v);
  out += ';';
}

}  // namespace mailpulse::query
