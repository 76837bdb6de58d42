#include "query/evaluator.h"

#include <fmt/format.h>

#include "query/cast.h"
#include "query/keywords.h"
#include "query/like.h"

namespace mailpulse::query {
namespace {

// The absent result of an operation over `a` and `b` (MISSING wins), or
// nullopt when both are present.
std::optional<Value> Absent(const Value& a, const Value& b) {
  if (a.is_missing() || b.is_missing()) return Value::Missing();
  if (a.is_null() || b.is_null()) return Value::Null();
  return std::nullopt;
}

Status TypeError(const Expr& e, const std::string& what) {
  return Status::Invalid(fmt::format("line {}, column {}: {}", e.line, e.column, what));
}

Result<Value> Arithmetic(const Expr& e, BinaryOp op, const Value& a, const Value& b) {
  if (auto absent = Absent(a, b)) return *absent;
  if (op == BinaryOp::kConcat) {
    if (a.type() != ValueType::kString || b.type() != ValueType::kString) {
      return TypeError(e, fmt::format("|| expects STRINGs, got {} and {}", ValueTypeName(a.type()),
                                      ValueTypeName(b.type())));
    }
    return Value::String(a.as_string() + b.as_string());
  }
  if (!a.is_number() || !b.is_number()) {
    return TypeError(e, fmt::format("{} expects numbers, got {} and {}", BinaryOpText(op),
                                    ValueTypeName(a.type()), ValueTypeName(b.type())));
  }
  if (a.type() == ValueType::kInt && b.type() == ValueType::kInt) {
    int64_t x = a.as_int(), y = b.as_int(), r = 0;
    bool overflow = false;
    switch (op) {
      case BinaryOp::kAdd:
        overflow = __builtin_add_overflow(x, y, &r);
        break;
      case BinaryOp::kSub:
        overflow = __builtin_sub_overflow(x, y, &r);
        break;
      case BinaryOp::kMul:
        overflow = __builtin_mul_overflow(x, y, &r);
        break;
      default:
        if (y == 0) return TypeError(e, "division by zero");
        if (x == INT64_MIN && y == -1) {
          overflow = op == BinaryOp::kDiv;
          r = 0;
        } else {
          r = op == BinaryOp::kDiv ? x / y : x % y;
        }
    }
    if (overflow) return TypeError(e, "integer overflow");
    return Value::Int(r);
  }
  double x = a.as_double(), y = b.as_double(), r = 0;
  switch (op) {
    case BinaryOp::kAdd:
      r = x + y;
      break;
    case BinaryOp::kSub:
      r = x - y;
      break;
    case BinaryOp::kMul:
      r = x * y;
      break;
    default:
      if (y == 0) return TypeError(e, "division by zero");
      r = op == BinaryOp::kDiv ? x / y : std::fmod(x, y);
  }
  bool is_float = a.type() == ValueType::kFloat || b.type() == ValueType::kFloat;
  return is_float ? Value::Float(r) : Value::Decimal(r);
}

Result<Value> Comparison(const Expr& e, BinaryOp op, const Value& a, const Value& b) {
  if (auto absent = Absent(a, b)) return *absent;
  if (op == BinaryOp::kEq) return Value::Bool(ValuesEqual(a, b));
  if (op == BinaryOp::kNe) return Value::Bool(!ValuesEqual(a, b));
  std::optional<int> c = CompareValues(a, b);
  if (!c.has_value()) {
    return TypeError(e, fmt::format("cannot compare {} with {} (CAST one side)",
                                    ValueTypeName(a.type()), ValueTypeName(b.type())));
  }
  switch (op) {
    case BinaryOp::kLt:
      return Value::Bool(*c < 0);
    case BinaryOp::kLe:
      return Value::Bool(*c <= 0);
    case BinaryOp::kGt:
      return Value::Bool(*c > 0);
    default:
      return Value::Bool(*c >= 0);
  }
}

Status NotBool(const Expr& e, const char* op, const Value& v) {
  return TypeError(e, fmt::format("{} expects BOOL, got {}", op, ValueTypeName(v.type())));
}

// Three-valued AND / OR; `short_value` is FALSE for AND, TRUE for OR.
Result<Value> Logical(const Expr& e, const Value& a, const Value& b, bool short_value) {
  const char* name = short_value ? "OR" : "AND";
  for (const Value* v : {&a, &b}) {
    if (!v->is_absent() && v->type() != ValueType::kBool) return NotBool(e, name, *v);
  }
  for (const Value* v : {&a, &b}) {
    if (v->type() == ValueType::kBool && v->as_bool() == short_value) return *v;
  }
  if (auto absent = Absent(a, b)) return *absent;
  return Value::Bool(!short_value);
}

Result<Value> Negate(const Value& v) {
  if (v.is_absent()) return Value(v);
  return Value::Bool(!v.as_bool());
}

Result<Value> Binary(const Expr& e, const EvalEnv& env) {
  MP_ASSIGN_OR_RETURN(Value a, Evaluate(*e.args[0], env));
  if (e.op == BinaryOp::kAnd || e.op == BinaryOp::kOr) {
    bool short_value = e.op == BinaryOp::kOr;
    if (a.type() == ValueType::kBool && a.as_bool() == short_value) return a;
    MP_ASSIGN_OR_RETURN(Value b, Evaluate(*e.args[1], env));
    return Logical(e, a, b, short_value);
  }
  MP_ASSIGN_OR_RETURN(Value b, Evaluate(*e.args[1], env));
  switch (e.op) {
    case BinaryOp::kEq:
    case BinaryOp::kNe:
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe:
      return Comparison(e, e.op, a, b);
    default:
      return Arithmetic(e, e.op, a, b);
  }
}

Result<Value> Like(const Expr& e, const EvalEnv& env) {
  std::vector<Value> v;
  for (const auto& arg : e.args) {
    MP_ASSIGN_OR_RETURN(Value x, Evaluate(*arg, env));
    v.push_back(std::move(x));
  }
  for (const Value& x : v) {
    if (x.is_missing()) return Value::Missing();
  }
  for (const Value& x : v) {
    if (x.is_null()) return Value::Null();
    if (x.type() != ValueType::kString) {
      return TypeError(e, fmt::format("LIKE expects STRINGs, got {}", ValueTypeName(x.type())));
    }
  }
  std::optional<std::string_view> escape;
  if (v.size() > 2) escape = v[2].as_string();
  Result<bool> m = LikeMatch(v[0].as_string(), v[1].as_string(), escape);
  if (!m.ok()) return TypeError(e, m.status().message());
  return Value::Bool(*m != e.negated);
}

Result<Value> Between(const Expr& e, const EvalEnv& env) {
  MP_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], env));
  MP_ASSIGN_OR_RETURN(Value lo, Evaluate(*e.args[1], env));
  MP_ASSIGN_OR_RETURN(Value hi, Evaluate(*e.args[2], env));
  MP_ASSIGN_OR_RETURN(Value ge, Comparison(e, BinaryOp::kGe, v, lo));
  MP_ASSIGN_OR_RETURN(Value le, Comparison(e, BinaryOp::kLe, v, hi));
  MP_ASSIGN_OR_RETURN(Value both, Logical(e, ge, le, false));
  return e.negated ? Negate(both) : both;
}

Result<Value> In(const Expr& e, const EvalEnv& env) {
  MP_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], env));
  if (v.is_absent()) return v;
  bool saw_null = false;
  Value result = Value::Bool(false);
  for (size_t i = 1; i < e.args.size(); ++i) {
    MP_ASSIGN_OR_RETURN(Value item, Evaluate(*e.args[i], env));
    if (item.is_absent()) {
      saw_null = true;
    } else if (ValuesEqual(v, item)) {
      result = Value::Bool(true);
      break;
    }
  }
  if (!result.as_bool() && saw_null) result = Value::Null();
  return e.negated ? Negate(result) : result;
}

Result<Value> Case(const Expr& e, const EvalEnv& env) {
  Value operand;
  if (e.case_operand) {
    MP_ASSIGN_OR_RETURN(operand, Evaluate(*e.case_operand, env));
  }
  for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
    MP_ASSIGN_OR_RETURN(Value when, Evaluate(*e.args[i], env));
    bool hit = e.case_operand
                   ? !operand.is_absent() && !when.is_absent() && ValuesEqual(operand, when)
                   : when.type() == ValueType::kBool && when.as_bool();
    if (hit) return Evaluate(*e.args[i + 1], env);
  }
  if (e.case_else) return Evaluate(*e.case_else, env);
  return Value::Null();
}

Result<Value> Call(const Expr& e, const EvalEnv& env) {
  std::vector<Value> args;
  args.reserve(e.args.size());
  for (const auto& arg : e.args) {
    MP_ASSIGN_OR_RETURN(Value x, Evaluate(*arg, env));
    args.push_back(std::move(x));
  }
  if (e.function->propagate_absent) {
    bool null = false;
    for (const Value& x : args) {
      if (x.is_missing()) return Value::Missing();
      null = null || x.is_null();
    }
    if (null) return Value::Null();
  }
  Result<Value> r = e.function->eval(args, *env.ctx);
  if (!r.ok()) return TypeError(e, r.status().message());
  return r;
}

Result<Value> Column(const Expr& e, const EvalEnv& env) {
  const PathStep& first = e.path[0];
  const FromClause& from = *env.from;
  bool is_alias = first.kind == PathStep::Kind::kField &&
                  (first.quoted || from.alias_quoted ? first.name == from.alias
                                                     : EqualsNoCase(first.name, from.alias));
  std::vector<Value> out;
  MP_RETURN_IF_ERROR(ExpandPath(*env.row, e.path, is_alias ? 1 : 0, &out));
  bool wildcard = false;
  for (const PathStep& s : e.path) wildcard = wildcard || s.kind == PathStep::Kind::kWildcard;
  if (!wildcard) return out[0];
  Value::List list;
  for (Value& v : out) {
    if (!v.is_missing()) list.push_back(std::move(v));
  }
  return Value::MakeList(std::move(list));
}

}  // namespace

Status ExpandPath(const Value& base, const std::vector<PathStep>& path, size_t from,
                  std::vector<Value>* out) {
  if (from >= path.size()) {
    out->push_back(base);
    return Status::Ok();
  }
  const PathStep& step = path[from];
  switch (step.kind) {
    case PathStep::Kind::kField: {
      MP_ASSIGN_OR_RETURN(Value next, LookupField(base, step.name, step.quoted));
      return ExpandPath(next, path, from + 1, out);
    }
    case PathStep::Kind::kIndex: {
      Value next;
      if (base.type() == ValueType::kList && step.index >= 0 &&
          static_cast<uint64_t>(step.index) < base.as_list().size()) {
        next = base.as_list()[static_cast<size_t>(step.index)];
      }
      return ExpandPath(next, path, from + 1, out);
    }
    case PathStep::Kind::kWildcard: {
      size_t before = out->size();
      if (base.type() == ValueType::kList) {
        for (const Value& v : base.as_list())
          MP_RETURN_IF_ERROR(ExpandPath(v, path, from + 1, out));
      } else if (base.type() == ValueType::kStruct) {
        for (const auto& [k, v] : base.as_struct()) {
          MP_RETURN_IF_ERROR(ExpandPath(v, path, from + 1, out));
        }
      }
      if (out->size() == before) out->push_back(Value::Missing());
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Result<Value> Evaluate(const Expr& e, const EvalEnv& env) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal;
    case ExprKind::kColumn:
      return Column(e, env);
    case ExprKind::kNegate: {
      MP_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], env));
      return Arithmetic(e, BinaryOp::kSub, Value::Int(0), v);
    }
    case ExprKind::kNot: {
      MP_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], env));
      if (!v.is_absent() && v.type() != ValueType::kBool) return NotBool(e, "NOT", v);
      return Negate(v);
    }
    case ExprKind::kBinary:
      return Binary(e, env);
    case ExprKind::kLike:
      return Like(e, env);
    case ExprKind::kBetween:
      return Between(e, env);
    case ExprKind::kIn:
      return In(e, env);
    case ExprKind::kIs: {
      MP_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], env));
      bool is = e.is_test == IsTest::kNull ? v.is_absent() : v.is_missing();
      return Value::Bool(is != e.negated);
    }
    case ExprKind::kCase:
      return Case(e, env);
    case ExprKind::kCast: {
      MP_ASSIGN_OR_RETURN(Value v, Evaluate(*e.args[0], env));
      Result<Value> r = CastValue(v, e.cast_type);
      if (!r.ok()) return TypeError(e, r.status().message());
      return r;
    }
    case ExprKind::kCall:
      return Call(e, env);
    case ExprKind::kAggregate:
      if (env.aggregates == nullptr) {
        return TypeError(e, fmt::format("{} is not allowed here", AggregateName(e.aggregate)));
      }
      return (*env.aggregates)[static_cast<size_t>(e.slot)];
  }
  return Value::Missing();
}

Result<bool> EvaluatePredicate(const Expr& e, const EvalEnv& env) {
  MP_ASSIGN_OR_RETURN(Value v, Evaluate(e, env));
  if (v.is_absent()) return false;
  if (v.type() != ValueType::kBool) {
    return TypeError(e, fmt::format("a condition must be BOOL, got {}", ValueTypeName(v.type())));
  }
  return v.as_bool();
}

}  // namespace mailpulse::query
