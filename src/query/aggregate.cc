#include "query/aggregate.h"

#include <fmt/format.h>

namespace mailpulse::query {

Status AggregateState::Add(const Expr& call, const Value& v) {
  if (v.is_absent()) return Status::Ok();
  if (call.distinct) {
    std::string key;
    AppendKey(key, v);
    if (!seen_.insert(std::move(key)).second) return Status::Ok();
  }
  const char* name = AggregateName(call.aggregate);
  switch (call.aggregate) {
    case AggregateKind::kCount:
      break;
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      if (!v.is_number()) {
        return Status::Invalid(fmt::format("line {}, column {}: {} expects numbers, got {}",
                                           call.line, call.column, name, ValueTypeName(v.type())));
      }
      any_float_ = any_float_ || v.type() == ValueType::kFloat;
      any_decimal_ = any_decimal_ || v.type() == ValueType::kDecimal;
      sum_ += v.as_double();
      if (v.type() == ValueType::kInt && call.aggregate == AggregateKind::kSum &&
          __builtin_add_overflow(int_sum_, v.as_int(), &int_sum_)) {
        return Status::Invalid(
            fmt::format("line {}, column {}: integer overflow in SUM", call.line, call.column));
      }
      break;
    case AggregateKind::kMin:
    case AggregateKind::kMax: {
      if (count_ == 0) {
        best_ = v;
        break;
      }
      std::optional<int> c = CompareValues(v, best_);
      if (!c.has_value()) {
        return Status::Invalid(fmt::format("line {}, column {}: {} cannot compare {} with {}",
                                           call.line, call.column, name, ValueTypeName(v.type()),
                                           ValueTypeName(best_.type())));
      }
      if ((call.aggregate == AggregateKind::kMin && *c < 0) ||
          (call.aggregate == AggregateKind::kMax && *c > 0)) {
        best_ = v;
      }
      break;
    }
  }
  ++count_;
  return Status::Ok();
}

Value AggregateState::Finish(const Expr& call) const {
  switch (call.aggregate) {
    case AggregateKind::kCount:
      return Value::Int(count_);
    case AggregateKind::kSum:
      if (count_ == 0) return Value::Null();
      if (any_float_) return Value::Float(sum_);
      if (any_decimal_) return Value::Decimal(sum_);
      return Value::Int(int_sum_);
    case AggregateKind::kAvg: {
      if (count_ == 0) return Value::Null();
      double avg = sum_ / static_cast<double>(count_);
      return any_float_ ? Value::Float(avg) : Value::Decimal(avg);
    }
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return count_ == 0 ? Value::Null() : best_;
  }
  return Value::Null();
}

}  // namespace mailpulse::query
