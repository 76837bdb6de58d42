#include "query/parser.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "query/parser_internal.h"

namespace mailpulse::query {
namespace internal {
namespace {

// Words that end an expression or a clause and so cannot start an implicit
// alias (`FROM S3Object s WHERE` names the row `s`).
bool IsClauseWord(std::string_view w) {
  for (const char* k : {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "AS", "JOIN", "INNER",
                        "LEFT", "RIGHT", "FULL", "CROSS", "UNION", "ON", "ASC", "DESC", "OFFSET"}) {
    if (EqualsNoCase(w, k)) return true;
  }
  return false;
}

}  // namespace

Result<SelectStatement> Parser::Statement() {
  SelectStatement st;
  MP_RETURN_IF_ERROR(ExpectWord("SELECT"));
  if (PeekWord("DISTINCT")) return Unsupported("SELECT DISTINCT");
  if (PeekSymbol("*")) {
    Take();
    st.select_star = true;
  } else {
    do {
      SelectItem item;
      MP_ASSIGN_OR_RETURN(item.expr, Expression());
      MP_RETURN_IF_ERROR(OptionalAlias(&item.alias, nullptr, /*implicit=*/false));
      st.items.push_back(std::move(item));
    } while (TakeSymbol(","));
  }
  MP_RETURN_IF_ERROR(ExpectWord("FROM"));
  MP_RETURN_IF_ERROR(From(&st.from));
  if (TakeWord("WHERE")) {
    MP_ASSIGN_OR_RETURN(st.where, Expression());
  }
  if (TakeWord("GROUP")) {
    MP_RETURN_IF_ERROR(ExpectWord("BY"));
    do {
      MP_ASSIGN_OR_RETURN(ExprPtr e, Expression());
      st.group_by.push_back(std::move(e));
    } while (TakeSymbol(","));
  }
  if (TakeWord("HAVING")) {
    MP_ASSIGN_OR_RETURN(st.having, Expression());
  }
  if (TakeWord("ORDER")) {
    MP_RETURN_IF_ERROR(ExpectWord("BY"));
    do {
      OrderItem o;
      MP_ASSIGN_OR_RETURN(o.expr, Expression());
      if (TakeWord("DESC")) {
        o.descending = true;
      } else {
        (void)TakeWord("ASC");
      }
      st.order_by.push_back(std::move(o));
    } while (TakeSymbol(","));
  }
  if (TakeWord("LIMIT")) {
    const Token& n = Peek();
    if (n.kind != TokenKind::kInteger) return Expected("a non-negative integer after LIMIT");
    int64_t v = 0;
    auto [p, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), v);
    if (ec != std::errc() || p != n.text.data() + n.text.size()) {
      return ErrorAt(n, "LIMIT out of range");
    }
    Take();
    st.limit = v;
  }
  if (PeekWord("OFFSET")) return Unsupported("OFFSET");
  if (PeekWord("UNION") || PeekWord("INTERSECT") || PeekWord("EXCEPT")) {
    return Unsupported(fmt::format("{} of queries", AsciiUpper(Peek().text)));
  }
  (void)TakeSymbol(";");
  if (Peek().kind != TokenKind::kEnd) return Expected("end of query");
  st.aggregate_slots = slots_;
  return st;
}

// An identifier usable as a name: quoted, or unquoted and not reserved.
Status Parser::Name(std::string* name, bool* quoted) {
  const Token& tok = Peek();
  if (tok.kind == TokenKind::kQuotedIdentifier) {
    *name = tok.text;
    *quoted = true;
    Take();
    return Status::Ok();
  }
  if (tok.kind != TokenKind::kIdentifier) return Expected("a name");
  if (IsReservedKeyword(tok.text)) {
    return ErrorAt(tok, fmt::format("'{}' is a reserved keyword; quote it as \"{}\" to use it as "
                                    "a name",
                                    tok.text, tok.text));
  }
  *name = tok.text;
  *quoted = false;
  Take();
  return Status::Ok();
}

// AS name, or (when `implicit`) a bare name, or nothing. The SELECT list
// requires AS so that a misspelt FROM is reported as such, not taken as an
// alias.
Status Parser::OptionalAlias(std::string* alias, bool* quoted, bool implicit) {
  bool dummy = false;
  bool* q = quoted != nullptr ? quoted : &dummy;
  if (TakeWord("AS")) return Name(alias, q);
  const Token& tok = Peek();
  if (!implicit) return Status::Ok();
  if (tok.kind == TokenKind::kQuotedIdentifier ||
      (tok.kind == TokenKind::kIdentifier && !IsClauseWord(tok.text) &&
       !IsReservedKeyword(tok.text))) {
    return Name(alias, q);
  }
  return Status::Ok();
}

Status Parser::From(FromClause* from) {
  const Token& src = Peek();
  if (PeekSymbol("(")) return Unsupported("a subquery in FROM");
  if (!PeekWord("S3Object")) return Expected("S3Object");
  Take();
  if (PeekSymbol(".")) {
    return ErrorAt(Peek(), "a path after S3Object must start with [*] (S3Object[*].path)");
  }
  if (PeekSymbol("[")) {
    if (!PeekSymbol("*", 1)) return ErrorAt(Peek(), "a path after S3Object must start with [*]");
    MP_RETURN_IF_ERROR(PathSteps(&from->path));
  }
  MP_RETURN_IF_ERROR(OptionalAlias(&from->alias, &from->alias_quoted, /*implicit=*/true));
  if (from->alias.empty()) {
    // S3 Select: FROM S3Object is S3Object[*] AS S3Object; with a path the
    // row is named by the path's last field, or _1 after a wildcard.
    if (from->path.empty()) {
      from->alias = src.text;
    } else if (from->path.back().kind == PathStep::Kind::kField) {
      from->alias = from->path.back().name;
      from->alias_quoted = from->path.back().quoted;
    } else {
      from->alias = "_1";
    }
  }
  if (PeekSymbol(",") || PeekWord("JOIN") || PeekWord("INNER") || PeekWord("LEFT") ||
      PeekWord("RIGHT") || PeekWord("FULL") || PeekWord("CROSS")) {
    return Unsupported("JOIN");
  }
  return Status::Ok();
}

// Steps: .name  ."name"  .*  [n]  ['name']  [*]
Status Parser::PathSteps(std::vector<PathStep>* path) {
  while (true) {
    if (PeekSymbol(".")) {
      Take();
      PathStep step;
      if (TakeSymbol("*")) {
        step.kind = PathStep::Kind::kWildcard;
      } else {
        MP_RETURN_IF_ERROR(Name(&step.name, &step.quoted));
      }
      path->push_back(std::move(step));
    } else if (PeekSymbol("[")) {
      Take();
      PathStep step;
      const Token& tok = Peek();
      if (TakeSymbol("*")) {
        step.kind = PathStep::Kind::kWildcard;
      } else if (tok.kind == TokenKind::kInteger) {
        auto [p, ec] =
            std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), step.index);
        if (ec != std::errc()) return ErrorAt(tok, "index out of range");
        step.kind = PathStep::Kind::kIndex;
        Take();
      } else if (tok.kind == TokenKind::kString) {
        step.name = tok.text;
        step.quoted = true;
        Take();
      } else {
        return Expected("an index, a 'name' or * in [ ]");
      }
      MP_RETURN_IF_ERROR(ExpectSymbol("]"));
      path->push_back(std::move(step));
    } else {
      return Status::Ok();
    }
  }
}

Result<ExprPtr> Parser::Expression() {
  DepthGuard guard(&depth_);
  if (!guard.Grow()) return TooDeep(Peek());
  return Or();
}

Result<ExprPtr> Parser::Or() {
  MP_ASSIGN_OR_RETURN(ExprPtr left, And());
  DepthGuard chain(&depth_);
  while (PeekWord("OR")) {
    const Token& at = Take();
    if (!chain.Grow()) return TooDeep(at);
    MP_ASSIGN_OR_RETURN(ExprPtr right, And());
    left = Binary(BinaryOp::kOr, at, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::And() {
  MP_ASSIGN_OR_RETURN(ExprPtr left, Not());
  DepthGuard chain(&depth_);
  while (PeekWord("AND")) {
    const Token& at = Take();
    if (!chain.Grow()) return TooDeep(at);
    MP_ASSIGN_OR_RETURN(ExprPtr right, Not());
    left = Binary(BinaryOp::kAnd, at, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::Not() {
  if (PeekWord("NOT")) {
    const Token& at = Take();
    DepthGuard guard(&depth_);
    if (!guard.Grow()) return TooDeep(at);
    MP_ASSIGN_OR_RETURN(ExprPtr operand, Not());
    ExprPtr e = Node(ExprKind::kNot, at);
    e->args.push_back(std::move(operand));
    return e;
  }
  return Equality();
}

Result<ExprPtr> Parser::Equality() {
  MP_ASSIGN_OR_RETURN(ExprPtr left, Relational());
  DepthGuard chain(&depth_);
  while (PeekSymbol("=") || PeekSymbol("<>") || PeekSymbol("!=")) {
    const Token& at = Take();
    if (!chain.Grow()) return TooDeep(at);
    MP_ASSIGN_OR_RETURN(ExprPtr right, Relational());
    left = Binary(at.text == "=" ? BinaryOp::kEq : BinaryOp::kNe, at, std::move(left),
                  std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::Relational() {
  MP_ASSIGN_OR_RETURN(ExprPtr left, Predicate());
  DepthGuard chain(&depth_);
  while (PeekSymbol("<") || PeekSymbol("<=") || PeekSymbol(">") || PeekSymbol(">=")) {
    const Token& at = Take();
    if (!chain.Grow()) return TooDeep(at);
    BinaryOp op = at.text == "<"    ? BinaryOp::kLt
                  : at.text == "<=" ? BinaryOp::kLe
                  : at.text == ">"  ? BinaryOp::kGt
                                    : BinaryOp::kGe;
    MP_ASSIGN_OR_RETURN(ExprPtr right, Predicate());
    left = Binary(op, at, std::move(left), std::move(right));
  }
  return left;
}

// a [NOT] LIKE p [ESCAPE e] | a [NOT] BETWEEN x AND y | a [NOT] IN (...) |
// a IS [NOT] NULL|MISSING
Result<ExprPtr> Parser::Predicate() {
  MP_ASSIGN_OR_RETURN(ExprPtr left, Additive());
  DepthGuard chain(&depth_);
  while (true) {
    bool negated = false;
    const Token& at = Peek();
    if (!chain.Grow()) return TooDeep(at);
    if (PeekWord("NOT") && (PeekWord("LIKE", 1) || PeekWord("BETWEEN", 1) || PeekWord("IN", 1))) {
      Take();
      negated = true;
    }
    if (TakeWord("LIKE")) {
      ExprPtr e = Node(ExprKind::kLike, at);
      e->negated = negated;
      e->args.push_back(std::move(left));
      MP_ASSIGN_OR_RETURN(ExprPtr pattern, Additive());
      e->args.push_back(std::move(pattern));
      if (TakeWord("ESCAPE")) {
        MP_ASSIGN_OR_RETURN(ExprPtr esc, Additive());
        e->args.push_back(std::move(esc));
      }
      left = std::move(e);
    } else if (TakeWord("BETWEEN")) {
      ExprPtr e = Node(ExprKind::kBetween, at);
      e->negated = negated;
      e->args.push_back(std::move(left));
      MP_ASSIGN_OR_RETURN(ExprPtr low, Additive());
      MP_RETURN_IF_ERROR(ExpectWord("AND"));
      MP_ASSIGN_OR_RETURN(ExprPtr high, Additive());
      e->args.push_back(std::move(low));
      e->args.push_back(std::move(high));
      left = std::move(e);
    } else if (TakeWord("IN")) {
      ExprPtr e = Node(ExprKind::kIn, at);
      e->negated = negated;
      e->args.push_back(std::move(left));
      MP_RETURN_IF_ERROR(ExpectSymbol("("));
      if (PeekWord("SELECT")) return Unsupported("a subquery");
      do {
        MP_ASSIGN_OR_RETURN(ExprPtr item, Expression());
        e->args.push_back(std::move(item));
      } while (TakeSymbol(","));
      MP_RETURN_IF_ERROR(ExpectSymbol(")"));
      left = std::move(e);
    } else if (!negated && TakeWord("IS")) {
      ExprPtr e = Node(ExprKind::kIs, at);
      e->negated = TakeWord("NOT");
      if (TakeWord("NULL")) {
        e->is_test = IsTest::kNull;
      } else if (TakeWord("MISSING")) {
        e->is_test = IsTest::kMissing;
      } else {
        return Expected("NULL or MISSING after IS");
      }
      e->args.push_back(std::move(left));
      left = std::move(e);
    } else {
      return left;
    }
  }
}

Result<ExprPtr> Parser::Additive() {
  MP_ASSIGN_OR_RETURN(ExprPtr left, Multiplicative());
  DepthGuard chain(&depth_);
  while (PeekSymbol("+") || PeekSymbol("-") || PeekSymbol("||")) {
    const Token& at = Take();
    if (!chain.Grow()) return TooDeep(at);
    BinaryOp op = at.text == "+"   ? BinaryOp::kAdd
                  : at.text == "-" ? BinaryOp::kSub
                                   : BinaryOp::kConcat;
    MP_ASSIGN_OR_RETURN(ExprPtr right, Multiplicative());
    left = Binary(op, at, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::Multiplicative() {
  MP_ASSIGN_OR_RETURN(ExprPtr left, Unary());
  DepthGuard chain(&depth_);
  while (PeekSymbol("*") || PeekSymbol("/") || PeekSymbol("%")) {
    const Token& at = Take();
    if (!chain.Grow()) return TooDeep(at);
    BinaryOp op = at.text == "*"   ? BinaryOp::kMul
                  : at.text == "/" ? BinaryOp::kDiv
                                   : BinaryOp::kMod;
    MP_ASSIGN_OR_RETURN(ExprPtr right, Unary());
    left = Binary(op, at, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::Unary() {
  if (PeekSymbol("-") || PeekSymbol("+")) {
    const Token& at = Take();
    DepthGuard guard(&depth_);
    if (!guard.Grow()) return TooDeep(at);
    MP_ASSIGN_OR_RETURN(ExprPtr operand, Unary());
    if (at.text == "+") return operand;
    // Fold a negated number literal into the literal.
    if (operand->kind == ExprKind::kLiteral && operand->literal.is_number()) {
      const Value& v = operand->literal;
      if (v.type() == ValueType::kInt && v.as_int() != INT64_MIN) {
        operand->literal = Value::Int(-v.as_int());
        return operand;
      }
      if (v.type() != ValueType::kInt) {
        operand->literal = v.type() == ValueType::kFloat ? Value::Float(-v.as_double())
                                                         : Value::Decimal(-v.as_double());
        return operand;
      }
    }
    ExprPtr e = Node(ExprKind::kNegate, at);
    e->args.push_back(std::move(operand));
    return e;
  }
  return Primary();
}

}  // namespace internal

Result<SelectStatement> ParseQuery(std::string_view sql) {
  if (sql.size() > kMaxQueryBytes) {
    return Status::Invalid(
        fmt::format("query is {} bytes; the limit is {}", sql.size(), kMaxQueryBytes));
  }
  MP_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  return internal::Parser(std::move(tokens)).Statement();
}

}  // namespace mailpulse::query
