// Running state of one aggregate call (COUNT, SUM, AVG, MIN, MAX, with or
// without DISTINCT) over the rows of one group. NULL and MISSING inputs are
// skipped (S3 Select: "aggregates skip MISSING"); an empty input gives 0 for
// COUNT and NULL otherwise. Result types follow S3 Select: COUNT -> INT;
// SUM of INTs -> INT; AVG of INT/DECIMAL -> DECIMAL, of FLOAT -> FLOAT;
// MIN/MAX keep the input's type. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

#include "common/status.h"
#include "query/ast.h"
#include "query/value.h"

namespace mailpulse::query {

class AggregateState {
 public:
  // `v` is the argument's value for one row (ignored by COUNT(*): pass any
  // present value). kInvalid for SUM/AVG of non-numbers, integer overflow,
  // or MIN/MAX over values that cannot be compared.
  Status Add(const Expr& call, const Value& v);
  Value Finish(const Expr& call) const;
  // Distinct values remembered (COUNT(DISTINCT x)), for the memory limit.
  size_t distinct_size() const { return seen_.size(); }

 private:
  int64_t count_ = 0;
  int64_t int_sum_ = 0;
  double sum_ = 0;
  bool any_float_ = false;
  bool any_decimal_ = false;
  Value best_;
  std::unordered_set<std::string> seen_;
};

}  // namespace mailpulse::query
