// Evaluators of the date functions (DATE_ADD, DATE_DIFF, EXTRACT, DATE_TRUNC,
// TO_STRING, TO_TIMESTAMP, UTCNOW), registered in functions.cc. Arguments
// are present (the registry handles NULL and MISSING). Thread-safe.
#pragma once

#include <vector>

#include "common/status.h"
#include "query/functions.h"
#include "query/value.h"

namespace mailpulse::query {

Result<Value> DateAdd(const std::vector<Value>& args, const EvalContext& ctx);
Result<Value> DateDiff(const std::vector<Value>& args, const EvalContext& ctx);
Result<Value> Extract(const std::vector<Value>& args, const EvalContext& ctx);
Result<Value> DateTrunc(const std::vector<Value>& args, const EvalContext& ctx);
Result<Value> ToStringFn(const std::vector<Value>& args, const EvalContext& ctx);
Result<Value> ToTimestamp(const std::vector<Value>& args, const EvalContext& ctx);
Result<Value> UtcNow(const std::vector<Value>& args, const EvalContext& ctx);

}  // namespace mailpulse::query
