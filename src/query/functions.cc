#include "query/functions.h"

#include <fmt/format.h>

#include <algorithm>

#include "query/cast.h"
#include "query/date_functions.h"
#include "query/keywords.h"
#include "query/utf8.h"

namespace mailpulse::query {
namespace {

using Args = std::vector<Value>;

Result<std::string_view> StringArgument(const char* fn, const Value& v) {
  if (v.type() != ValueType::kString) {
    return Status::Invalid(fmt::format("{} expects a STRING, got {}", fn, ValueTypeName(v.type())));
  }
  return std::string_view(v.as_string());
}

Result<Value> Coalesce(const Args& args, const EvalContext&) {
  for (const Value& v : args) {
    if (!v.is_absent()) return v;
  }
  return Value::Null();
}

Result<Value> NullIf(const Args& args, const EvalContext&) {
  if (args[0].is_absent()) return Value::Null();
  if (!args[1].is_absent() && ValuesEqual(args[0], args[1])) return Value::Null();
  return args[0];
}

Result<Value> CharLength(const Args& args, const EvalContext&) {
  MP_ASSIGN_OR_RETURN(std::string_view s, StringArgument("CHAR_LENGTH", args[0]));
  return Value::Int(static_cast<int64_t>(SplitCharacters(s).size()));
}

template <bool kUpper>
Result<Value> ChangeCase(const Args& args, const EvalContext&) {
  MP_ASSIGN_OR_RETURN(std::string_view s, StringArgument(kUpper ? "UPPER" : "LOWER", args[0]));
  return Value::String(kUpper ? AsciiUpper(std::string(s)) : AsciiLower(std::string(s)));
}

// 1-based; a start before 1 shortens the length by the positions before 1.
Result<Value> Substring(const Args& args, const EvalContext&) {
  MP_ASSIGN_OR_RETURN(std::string_view s, StringArgument("SUBSTRING", args[0]));
  MP_ASSIGN_OR_RETURN(int64_t start, IntegerArgument(args[1], "SUBSTRING's start"));
  std::vector<std::string_view> chars = SplitCharacters(s);
  int64_t n = static_cast<int64_t>(chars.size());
  int64_t end = n + 1;  // exclusive, 1-based
  if (args.size() > 2) {
    MP_ASSIGN_OR_RETURN(int64_t length, IntegerArgument(args[2], "SUBSTRING's length"));
    if (length < 0) return Status::Invalid("SUBSTRING's length must not be negative");
    end = start > n + 1 ? start : std::min(n + 1, start + std::min(length, n + 1));
  }
  int64_t from = std::max<int64_t>(start, 1);
  std::string out;
  for (int64_t i = from; i < end && i <= n; ++i) out.append(chars[static_cast<size_t>(i - 1)]);
  return Value::String(std::move(out));
}

// (mode, chars, string)
Result<Value> Trim(const Args& args, const EvalContext&) {
  const std::string& mode = args[0].as_string();
  MP_ASSIGN_OR_RETURN(std::string_view set, StringArgument("TRIM", args[1]));
  MP_ASSIGN_OR_RETURN(std::string_view s, StringArgument("TRIM", args[2]));
  std::vector<std::string_view> remove = SplitCharacters(set);
  std::vector<std::string_view> chars = SplitCharacters(s);
  auto removable = [&](std::string_view c) {
    return std::find(remove.begin(), remove.end(), c) != remove.end();
  };
  size_t b = 0, e = chars.size();
  if (mode != "trailing") {
    while (b < e && removable(chars[b])) ++b;
  }
  if (mode != "leading") {
    while (e > b && removable(chars[e - 1])) --e;
  }
  std::string out;
  for (size_t i = b; i < e; ++i) out.append(chars[i]);
  return Value::String(std::move(out));
}

const std::vector<FunctionDef>& Table() {
  static const std::vector<FunctionDef> kTable = {
      {"COALESCE", 1, 1 << 20, ArgSyntax::kPlain, false, Coalesce, "COALESCE(x, ...)"},
      {"NULLIF", 2, 2, ArgSyntax::kPlain, false, NullIf, "NULLIF(x, y)"},
      {"CHAR_LENGTH", 1, 1, ArgSyntax::kPlain, true, CharLength, "CHAR_LENGTH(string)"},
      {"CHARACTER_LENGTH", 1, 1, ArgSyntax::kPlain, true, CharLength, "CHARACTER_LENGTH(string)"},
      {"LOWER", 1, 1, ArgSyntax::kPlain, true, ChangeCase<false>, "LOWER(string)"},
      {"UPPER", 1, 1, ArgSyntax::kPlain, true, ChangeCase<true>, "UPPER(string)"},
      {"SUBSTRING", 2, 3, ArgSyntax::kSubstring, true, Substring,
       "SUBSTRING(string FROM start [FOR length])"},
      {"TRIM", 3, 3, ArgSyntax::kTrim, true, Trim,
       "TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] string)"},
      {"DATE_ADD", 3, 3, ArgSyntax::kDatePart, true, DateAdd, "DATE_ADD(part, n, timestamp)"},
      {"DATE_DIFF", 3, 3, ArgSyntax::kDatePart, true, DateDiff, "DATE_DIFF(part, t1, t2)"},
      {"EXTRACT", 2, 2, ArgSyntax::kExtract, true, Extract, "EXTRACT(part FROM timestamp)"},
      {"DATE_TRUNC", 2, 2, ArgSyntax::kPlain, true, DateTrunc, "DATE_TRUNC('part', timestamp)"},
      {"TO_STRING", 2, 2, ArgSyntax::kPlain, true, ToStringFn, "TO_STRING(timestamp, 'pattern')"},
      {"TO_TIMESTAMP", 1, 1, ArgSyntax::kPlain, true, ToTimestamp, "TO_TIMESTAMP(string)"},
      {"UTCNOW", 0, 0, ArgSyntax::kPlain, true, UtcNow, "UTCNOW()"},
  };
  return kTable;
}

}  // namespace

const std::vector<FunctionDef>& Functions() { return Table(); }

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : Table()) {
    if (EqualsNoCase(f.name, name)) return &f;
  }
  return nullptr;
}

bool IsDatePart(std::string_view word) {
  for (const char* p :
       {"year", "month", "day", "hour", "minute", "second", "timezone_hour", "timezone_minute"}) {
    if (EqualsNoCase(word, p)) return true;
  }
  return false;
}

}  // namespace mailpulse::query
