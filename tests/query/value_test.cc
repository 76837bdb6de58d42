// Values: field lookup rules (case, ambiguity, positions), equality and
// ordering across numeric types, the total order of ORDER BY, grouping keys,
// CAST and JSON/CSV text.
#include "query/value.h"

#include <gtest/gtest.h>

#include "query/cast.h"

namespace mailpulse::query {
namespace {

Value Row() {
  return Value::MakeStruct({{"Name", Value::String("x")},
                            {"n", Value::Int(1)},
                            {"N2", Value::Null()},
                            {"_9", Value::Bool(true)}});
}

std::string Json(const Value& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

TEST(QueryValueTest, LookupField) {
  EXPECT_EQ(Json(*LookupField(Row(), "name", false)), "\"x\"");
  EXPECT_TRUE(LookupField(Row(), "name", true)->is_missing());
  EXPECT_EQ(Json(*LookupField(Row(), "Name", true)), "\"x\"");
  EXPECT_TRUE(LookupField(Row(), "n2", false)->is_null());
  EXPECT_EQ(Json(*LookupField(Row(), "_2", false)), "1");     // by position
  EXPECT_EQ(Json(*LookupField(Row(), "_9", false)), "true");  // a field named _9 wins
  EXPECT_TRUE(LookupField(Row(), "_5", false)->is_missing());
  EXPECT_TRUE(LookupField(Row(), "_0", false)->is_missing());
  EXPECT_TRUE(LookupField(Value::Int(3), "a", false)->is_missing());
  Value dup = Value::MakeStruct({{"a", Value::Int(1)}, {"A", Value::Int(2)}});
  EXPECT_FALSE(LookupField(dup, "a", false).ok());
  EXPECT_EQ(Json(*LookupField(dup, "A", true)), "2");
}

TEST(QueryValueTest, EqualityAndOrder) {
  EXPECT_TRUE(ValuesEqual(Value::Int(1), Value::Float(1.0)));
  EXPECT_TRUE(ValuesEqual(Value::Decimal(2.5), Value::Float(2.5)));
  EXPECT_FALSE(ValuesEqual(Value::Int(1), Value::String("1")));
  EXPECT_TRUE(ValuesEqual(Value::MakeList({Value::Int(1)}), Value::MakeList({Value::Float(1)})));
  EXPECT_FALSE(ValuesEqual(Value::MakeList({Value::Int(1)}), Value::MakeList({})));
  EXPECT_EQ(CompareValues(Value::Int(2), Value::Float(1.5)), 1);
  EXPECT_EQ(CompareValues(Value::String("a"), Value::String("b")), -1);
  EXPECT_EQ(CompareValues(Value::Int(1), Value::String("1")), std::nullopt);
  EXPECT_EQ(CompareValues(Value::Int(INT64_MAX), Value::Int(INT64_MAX - 1)), 1);
  // absent < BOOL < numbers < TIMESTAMP < STRING < LIST < STRUCT
  std::vector<Value> order = {Value::Null(),
                              Value::Bool(false),
                              Value::Int(-5),
                              Value::Float(0.5),
                              Value::Time(*ParseTimestamp("2010T")),
                              Value::String(""),
                              Value::MakeList({}),
                              Value::MakeStruct({})};
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    EXPECT_EQ(TotalOrder(order[i], order[i + 1]), -1) << i;
    EXPECT_EQ(TotalOrder(order[i + 1], order[i]), 1) << i;
  }
  EXPECT_EQ(TotalOrder(Value::Missing(), Value::Null()), 0);
}

TEST(QueryValueTest, GroupKeys) {
  auto key = [](const Value& v) {
    std::string k;
    AppendKey(k, v);
    return k;
  };
  EXPECT_EQ(key(Value::Int(1)), key(Value::Float(1.0)));
  EXPECT_NE(key(Value::Int(1)), key(Value::String("1")));
  EXPECT_NE(key(Value::Null()), key(Value::Missing()));
  EXPECT_NE(key(Value::String("a;")), key(Value::String("a")));
  EXPECT_EQ(key(Value::Time(*ParseTimestamp("2010-01-01T01:00+01:00"))),
            key(Value::Time(*ParseTimestamp("2010-01-01T00:00Z"))));
}

TEST(QueryValueTest, Text) {
  EXPECT_EQ(Json(Row()), "{\"Name\":\"x\",\"n\":1,\"N2\":null,\"_9\":true}");
  EXPECT_EQ(Json(Value::MakeStruct({{"a", Value::Missing()}, {"b", Value::Int(2)}})), "{\"b\":2}");
  EXPECT_EQ(Json(Value::Float(1.0 / 0.0)), "null");
  EXPECT_EQ(Json(Value::String("a\"\n")), "\"a\\\"\\n\"");
  EXPECT_EQ(ToText(Value::Float(0.1)), "0.1");
  EXPECT_EQ(ToText(Value::Null()), "");
  EXPECT_EQ(ToText(Value::MakeList({Value::Int(1), Value::String("x")})), "[1,\"x\"]");
}

TEST(QueryValueTest, Casts) {
  auto cast = [](const Value& v, CastType t) {
    Result<Value> r = CastValue(v, t);
    return r.ok() ? Json(*r) : "ERROR: " + r.status().message();
  };
  EXPECT_EQ(cast(Value::String("9223372036854775807"), CastType::kInt), "9223372036854775807");
  EXPECT_EQ(cast(Value::String("9223372036854775808"), CastType::kInt),
            "ERROR: CastFailed: cannot cast STRING '9223372036854775808' to INT");
  EXPECT_EQ(cast(Value::Float(1e300), CastType::kInt),
            "ERROR: CastFailed: cannot cast FLOAT 1e+300 to INT");
  EXPECT_EQ(cast(Value::String("+12"), CastType::kInt), "12");
  EXPECT_EQ(cast(Value::String(""), CastType::kFloat),
            "ERROR: CastFailed: cannot cast STRING '' to FLOAT");
  EXPECT_EQ(cast(Value::String(" false "), CastType::kBool), "false");
  EXPECT_EQ(cast(Value::String("yes"), CastType::kBool),
            "ERROR: CastFailed: cannot cast STRING 'yes' to BOOL");
  EXPECT_EQ(cast(Value::Time(*ParseTimestamp("2010-01-02T03:04Z")), CastType::kString),
            "\"2010-01-02T03:04Z\"");
  EXPECT_EQ(cast(Value::MakeList({}), CastType::kString),
            "ERROR: CastFailed: cannot cast LIST [] to STRING");
  EXPECT_EQ(cast(Value::Int(5), CastType::kTimestamp),
            "ERROR: CastFailed: cannot cast INT 5 to TIMESTAMP");
  EXPECT_EQ(Json(*CastValue(Value::Missing(), CastType::kInt)), "null");
  EXPECT_TRUE(CastValue(Value::Missing(), CastType::kInt)->is_missing());
}

}  // namespace
}  // namespace mailpulse::query
