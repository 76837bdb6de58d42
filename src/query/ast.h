// The parsed query (parser.h builds it, executor.h runs it). One Expr struct
// for every node kind keeps the tree easy to walk; which members are used is
// stated per kind below. Trees are immutable after parsing, so one statement
// may be evaluated from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/value.h"

namespace mailpulse::query {

struct FunctionDef;  // functions.h
struct FromClause;

// One step of a path: .name, ."Name", [3], ['name'], [*] or .*
struct PathStep {
  enum class Kind { kField, kIndex, kWildcard };
  Kind kind = Kind::kField;
  std::string name;     // kField
  bool quoted = false;  // kField: matched case-sensitively
  int64_t index = 0;    // kIndex
};

enum class ExprKind {
  kLiteral,    // literal
  kColumn,     // path: the first step names the FROM alias or a field of the row
  kNegate,     // args[0]
  kNot,        // args[0]
  kBinary,     // op, args[0], args[1]
  kLike,       // args: value, pattern[, escape]; negated
  kBetween,    // args: value, low, high; negated
  kIn,         // args: value, list...; negated
  kIs,         // args[0]; is_test; negated
  kCase,       // case_operand?, args: when, then, when, then...; case_else?
  kCast,       // args[0]; cast_type
  kCall,       // function, args
  kAggregate,  // aggregate, distinct, args (empty for COUNT(*)); slot
};

enum class BinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kConcat,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr
};
enum class CastType { kInt, kFloat, kDecimal, kString, kBool, kTimestamp };
enum class IsTest { kNull, kMissing };
enum class AggregateKind { kCount, kSum, kAvg, kMin, kMax };

const char* BinaryOpText(BinaryOp op);
const char* CastTypeName(CastType t);
const char* AggregateName(AggregateKind k);

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  int line = 0, column = 0;
  Value literal;
  std::vector<PathStep> path;
  BinaryOp op = BinaryOp::kAdd;
  bool negated = false;
  IsTest is_test = IsTest::kNull;
  CastType cast_type = CastType::kString;
  const FunctionDef* function = nullptr;
  AggregateKind aggregate = AggregateKind::kCount;
  bool distinct = false;
  int slot = -1;  // kAggregate: index of its state, numbered by the parser
  std::unique_ptr<Expr> case_operand, case_else;
  std::vector<std::unique_ptr<Expr>> args;

  // SQL text of the expression. With `from`, the canonical form used to
  // match SELECT items against GROUP BY: paths drop the FROM alias and
  // unquoted names are lower-cased (`S.Event`, `event` -> `event`), so equal
  // texts mean equal expressions.
  std::string ToString(const FromClause* from = nullptr) const;
};

struct SelectItem {
  std::unique_ptr<Expr> expr;
  std::string alias;  // empty: derived (docs/query.md, "Output")
};

struct OrderItem {
  std::unique_ptr<Expr> expr;
  bool descending = false;
};

struct FromClause {
  std::vector<PathStep> path;  // after S3Object: starts with [*] when present
  std::string alias;           // the row's name in expressions
  bool alias_quoted = false;
};

struct SelectStatement {
  bool select_star = false;
  std::vector<SelectItem> items;
  FromClause from;
  std::unique_ptr<Expr> where;
  std::vector<std::unique_ptr<Expr>> group_by;
  std::unique_ptr<Expr> having;
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
  int aggregate_slots = 0;  // kAggregate nodes in items, having and order_by
};

}  // namespace mailpulse::query
