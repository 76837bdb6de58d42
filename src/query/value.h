// Value: one S3 Select value. Scalars (BOOL, INT = int64, FLOAT = double,
// DECIMAL, STRING, TIMESTAMP), the two absent values, and JSON's nesting
// (LIST, STRUCT) so paths like a.b[0] and SELECT * work on JSON input.
//
// MISSING vs NULL (PartiQL, which S3 Select follows): a path that leads
// nowhere is MISSING; a JSON `null` is NULL. MISSING columns are left out of
// JSON output; both print as an empty CSV field.
//
// DECIMAL is carried as a double with its own type tag: it prints and
// compares like a number, and AVG(INT) is typed DECIMAL as S3 Select says,
// but there is no arbitrary precision (docs/query.md, "Limits").
//
// Lists and structs are shared immutable trees: copying a Value is cheap.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"
#include "query/timestamp.h"

namespace mailpulse::query {

enum class ValueType {
  kMissing,
  kNull,
  kBool,
  kInt,
  kFloat,
  kDecimal,
  kString,
  kTimestamp,
  kList,
  kStruct
};
// "MISSING", "INT", ... as in error messages.
const char* ValueTypeName(ValueType type);

class Value {
 public:
  using List = std::vector<Value>;
  using Field = std::pair<std::string, Value>;
  using Struct = std::vector<Field>;

  Value() = default;  // MISSING
  static Value Missing() { return Value(); }
  static Value Null() { return Value(ValueType::kNull, std::monostate()); }
  static Value Bool(bool b) { return Value(ValueType::kBool, b); }
  static Value Int(int64_t i) { return Value(ValueType::kInt, i); }
  static Value Float(double d) { return Value(ValueType::kFloat, d); }
  static Value Decimal(double d) { return Value(ValueType::kDecimal, d); }
  static Value String(std::string s) { return Value(ValueType::kString, std::move(s)); }
  static Value Time(const Timestamp& t) { return Value(ValueType::kTimestamp, t); }
  static Value MakeList(List l) {
    return Value(ValueType::kList, std::make_shared<const List>(std::move(l)));
  }
  static Value MakeStruct(Struct s) {
    return Value(ValueType::kStruct, std::make_shared<const Struct>(std::move(s)));
  }

  ValueType type() const { return type_; }
  bool is_missing() const { return type_ == ValueType::kMissing; }
  bool is_null() const { return type_ == ValueType::kNull; }
  // NULL or MISSING.
  bool is_absent() const { return is_missing() || is_null(); }
  bool is_number() const {
    return type_ == ValueType::kInt || type_ == ValueType::kFloat || type_ == ValueType::kDecimal;
  }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  // Any number as a double.
  double as_double() const {
    return type_ == ValueType::kInt ? static_cast<double>(as_int()) : std::get<double>(v_);
  }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Timestamp& as_timestamp() const { return std::get<Timestamp>(v_); }
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(v_); }
  const Struct& as_struct() const { return *std::get<std::shared_ptr<const Struct>>(v_); }

 private:
  template <typename T>
  Value(ValueType t, T v) : type_(t), v_(std::move(v)) {}

  ValueType type_ = ValueType::kMissing;
  std::variant<std::monostate, bool, int64_t, double, std::string, Timestamp,
               std::shared_ptr<const List>, std::shared_ptr<const Struct>>
      v_;
};

// The member `name` of a struct: exact match when case_sensitive (a quoted
// identifier), else ASCII case-insensitive, where two matches are an error
// (S3's AmbiguousFieldName). A name `_N` with no such member is the N-th
// member (1-based): CSV's positional columns. Anything else is MISSING.
Result<Value> LookupField(const Value& v, std::string_view name, bool case_sensitive);

// SQL equality of two present values: numbers compare across INT, FLOAT and
// DECIMAL; lists and structs compare deeply; other mixed types are unequal.
bool ValuesEqual(const Value& a, const Value& b);
// Ordering of two present values of comparable types (numbers, strings by
// bytes, timestamps by instant, bools); nullopt when not comparable.
std::optional<int> CompareValues(const Value& a, const Value& b);
// A total order for ORDER BY: absent first, then BOOL < numbers < TIMESTAMP <
// STRING < LIST < STRUCT, and CompareValues within a kind.
int TotalOrder(const Value& a, const Value& b);

// JSON text of `v` (MISSING and NULL as null; timestamps as their Ion text in
// a string; NaN and infinities as null).
void AppendJson(std::string& out, const Value& v);
// Plain text of a scalar: strings unquoted, numbers, true/false, timestamps;
// absent values as ""; lists and structs as JSON.
std::string ToText(const Value& v);
// A byte string equal for two values iff they are equal (for GROUP BY and
// DISTINCT): numbers that are whole share the INT form.
void AppendKey(std::string& out, const Value& v);

}  // namespace mailpulse::query
