// Evaluator: the value of an expression for one row, with S3 Select's
// semantics (docs/query.md, "Semantics"):
//  - MISSING and NULL propagate through operators and most functions
//    (MISSING wins over NULL); AND/OR are three-valued (FALSE AND x = FALSE,
//    TRUE OR x = TRUE); x IS NULL is true for NULL and MISSING.
//  - = and <> across unrelated types are false/true; <, >, BETWEEN across
//    them are an error, as are arithmetic on non-numbers, integer overflow,
//    division by zero and failed CASTs. Errors stop the query (S3 does the same).
// Stateless: a statement may be evaluated from several threads at once.
#pragma once

#include <vector>

#include "common/status.h"
#include "query/ast.h"
#include "query/functions.h"
#include "query/value.h"

namespace mailpulse::query {

struct EvalEnv {
  const Value* row = nullptr;  // the FROM row
  const FromClause* from = nullptr;
  // Finished aggregate values by slot, when evaluating a group's output;
  // nullptr where aggregates are not allowed (WHERE, GROUP BY).
  const std::vector<Value>* aggregates = nullptr;
  const EvalContext* ctx = nullptr;
};

Result<Value> Evaluate(const Expr& e, const EvalEnv& env);

// WHERE / HAVING: true only for TRUE; NULL and MISSING are false; other
// types are an error.
Result<bool> EvaluatePredicate(const Expr& e, const EvalEnv& env);

// Follows `path` from `base`. Wildcards fan out; every result is appended
// (MISSING where a step leads nowhere), at least one value per call.
Status ExpandPath(const Value& base, const std::vector<PathStep>& path, size_t from,
                  std::vector<Value>* out);

}  // namespace mailpulse::query
