// The scalar function registry: one declarative row per SQL function (name,
// arity, how its arguments are written, how absent arguments behave, the
// evaluator). The parser resolves names through FindFunction; the evaluator
// calls `eval` with the evaluated arguments. Aggregates (COUNT, SUM, AVG,
// MIN, MAX) are not here: they are AST nodes of their own (ast.h) because
// they fold over rows. The table is immutable; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/value.h"

namespace mailpulse::query {

// What a whole query shares while it runs.
struct EvalContext {
  Timestamp now;  // UTCNOW(), fixed for the query so every row sees the same
};

// How the parser reads the argument list.
enum class ArgSyntax {
  kPlain,      // f(a, b, ...)
  kDatePart,   // f(part, a, ...): part is a bare word (year, month, ...) passed as a string
  kExtract,    // EXTRACT(part FROM a) -> (part, a)
  kSubstring,  // SUBSTRING(a FROM b [FOR c]) or SUBSTRING(a, b[, c])
  kTrim,       // TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] a) -> (mode, chars, a)
};

using ScalarFn = Result<Value> (*)(const std::vector<Value>& args, const EvalContext& ctx);

struct FunctionDef {
  const char* name;  // upper case
  int min_args;
  int max_args;
  ArgSyntax syntax;
  // true: a MISSING argument gives MISSING, else a NULL argument gives NULL,
  // without calling eval. false: eval sees absent arguments (COALESCE...).
  bool propagate_absent;
  ScalarFn eval;
  const char* signature;  // for docs and arity errors
};

// Case-insensitive; nullptr when unknown.
const FunctionDef* FindFunction(std::string_view name);
const std::vector<FunctionDef>& Functions();

// The date parts DATE_ADD, DATE_DIFF, EXTRACT and DATE_TRUNC accept.
bool IsDatePart(std::string_view word);

}  // namespace mailpulse::query
