#include "query/ast.h"

#include <fmt/format.h>

#include "query/functions.h"
#include "query/keywords.h"

namespace mailpulse::query {

const char* BinaryOpText(BinaryOp op) {
  static const char* const kText[] = {"+",  "-", "*",  "/", "%",  "||",  "=",
                                      "<>", "<", "<=", ">", ">=", "AND", "OR"};
  return kText[static_cast<int>(op)];
}

const char* CastTypeName(CastType t) {
  static const char* const kNames[] = {"INT", "FLOAT", "DECIMAL", "STRING", "BOOL", "TIMESTAMP"};
  return kNames[static_cast<int>(t)];
}

const char* AggregateName(AggregateKind k) {
  static const char* const kNames[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
  return kNames[static_cast<int>(k)];
}

namespace {

std::string Join(const std::vector<std::unique_ptr<Expr>>& args, size_t first,
                 const FromClause* from) {
  std::string out;
  for (size_t i = first; i < args.size(); ++i) {
    if (i > first) out += ", ";
    out += args[i]->ToString(from);
  }
  return out;
}

std::string PathText(const std::vector<PathStep>& path, const FromClause* from) {
  std::string out;
  size_t first = 0;
  if (from != nullptr && path.size() > 1 && path[0].kind == PathStep::Kind::kField &&
      (path[0].quoted || from->alias_quoted ? path[0].name == from->alias
                                            : EqualsNoCase(path[0].name, from->alias))) {
    first = 1;
  }
  for (size_t i = first; i < path.size(); ++i) {
    const PathStep& s = path[i];
    switch (s.kind) {
      case PathStep::Kind::kField:
        if (i > first) out += '.';
        if (s.quoted) {
          out += "\"" + s.name + "\"";
        } else {
          out += from != nullptr ? AsciiLower(s.name) : s.name;
        }
        break;
      case PathStep::Kind::kIndex:
        out += fmt::format("[{}]", s.index);
        break;
      case PathStep::Kind::kWildcard:
        out += "[*]";
        break;
    }
  }
  return out;
}

}  // namespace

std::string Expr::ToString(const FromClause* from) const {
  const char* no = negated ? "NOT " : "";
  switch (kind) {
    case ExprKind::kLiteral: {
      if (literal.type() == ValueType::kMissing) return "MISSING";
      if (literal.type() == ValueType::kTimestamp) return "`" + ToText(literal) + "`";
      std::string out;
      AppendJson(out, literal);
      return out;
    }
    case ExprKind::kColumn:
      return PathText(path, from);
    case ExprKind::kNegate:
      return "(-" + args[0]->ToString(from) + ")";
    case ExprKind::kNot:
      return "(NOT " + args[0]->ToString(from) + ")";
    case ExprKind::kBinary:
      return fmt::format("({} {} {})", args[0]->ToString(from), BinaryOpText(op),
                         args[1]->ToString(from));
    case ExprKind::kLike:
      return fmt::format("({} {}LIKE {}{})", args[0]->ToString(from), no, args[1]->ToString(from),
                         args.size() > 2 ? " ESCAPE " + args[2]->ToString(from) : "");
    case ExprKind::kBetween:
      return fmt::format("({} {}BETWEEN {} AND {})", args[0]->ToString(from), no,
                         args[1]->ToString(from), args[2]->ToString(from));
    case ExprKind::kIn:
      return fmt::format("({} {}IN ({}))", args[0]->ToString(from), no, Join(args, 1, from));
    case ExprKind::kIs:
      return fmt::format("({} IS {}{})", args[0]->ToString(from), no,
                         is_test == IsTest::kNull ? "NULL" : "MISSING");
    case ExprKind::kCase: {
      std::string out = "CASE";
      if (case_operand) out += " " + case_operand->ToString(from);
      for (size_t i = 0; i + 1 < args.size(); i += 2) {
        out += " WHEN " + args[i]->ToString(from) + " THEN " + args[i + 1]->ToString(from);
      }
      if (case_else) out += " ELSE " + case_else->ToString(from);
      return out + " END";
    }
    case ExprKind::kCast:
      return fmt::format("CAST({} AS {})", args[0]->ToString(from), CastTypeName(cast_type));
    case ExprKind::kCall:
      return fmt::format("{}({})", function->name, Join(args, 0, from));
    case ExprKind::kAggregate:
      return fmt::format("{}({}{})", AggregateName(aggregate), distinct ? "DISTINCT " : "",
                         args.empty() ? "*" : Join(args, 0, from));
  }
  return "?";
}

}  // namespace mailpulse::query
