#include "query/parser.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "query/functions.h"
#include "query/keywords.h"
#include "query/lexer.h"

namespace mailpulse::query {
namespace {

using ExprPtr = std::unique_ptr<Expr>;

// Words that end an expression or a clause and so cannot start an implicit
// alias (`SELECT a b FROM` is `a AS b`).
bool IsClauseWord(std::string_view w) {
  for (const char* k : {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "AS", "JOIN", "INNER",
                        "LEFT", "RIGHT", "FULL", "CROSS", "UNION", "ON", "ASC", "DESC", "OFFSET"}) {
    if (EqualsNoCase(w, k)) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<SelectStatement> Statement() {
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
      return Unsupported(fmt::format("{} of queries", Upper(Peek().text)));
    }
    (void)TakeSymbol(";");
    if (Peek().kind != TokenKind::kEnd) return Expected("end of query");
    st.aggregate_slots = slots_;
    return st;
  }

 private:
  // ---- token helpers --------------------------------------------------------

  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < t_.size() ? t_[i] : t_.back();
  }
  const Token& Take() {
    const Token& tok = Peek();
    if (pos_ < t_.size() - 1) ++pos_;
    return tok;
  }
  bool PeekWord(std::string_view w, size_t ahead = 0) const {
    const Token& tok = Peek(ahead);
    return tok.kind == TokenKind::kIdentifier && EqualsNoCase(tok.text, w);
  }
  bool PeekSymbol(std::string_view s, size_t ahead = 0) const {
    const Token& tok = Peek(ahead);
    return tok.kind == TokenKind::kSymbol && tok.text == s;
  }
  bool TakeWord(std::string_view w) {
    if (!PeekWord(w)) return false;
    Take();
    return true;
  }
  bool TakeSymbol(std::string_view s) {
    if (!PeekSymbol(s)) return false;
    Take();
    return true;
  }
  static std::string Upper(std::string s) {
    for (char& c : s) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
  }
  static std::string Lower(std::string s) {
    for (char& c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
  }

  Status ErrorAt(const Token& tok, const std::string& what) const {
    return Status::Invalid(fmt::format("line {}, column {}: {}", tok.line, tok.column, what));
  }
  Status Expected(const std::string& what) const {
    return ErrorAt(Peek(), fmt::format("expected {}, found {}", what, DescribeToken(Peek())));
  }
  Status Unsupported(const std::string& what) const {
    return ErrorAt(Peek(), what + " is not supported");
  }
  Status ExpectWord(std::string_view w) {
    if (!TakeWord(w)) return Expected(std::string(w));
    return Status::Ok();
  }
  Status ExpectSymbol(std::string_view s) {
    if (!TakeSymbol(s)) return Expected("'" + std::string(s) + "'");
    return Status::Ok();
  }

  // An identifier usable as a name: quoted, or unquoted and not reserved.
  Status Name(std::string* name, bool* quoted) {
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
  Status OptionalAlias(std::string* alias, bool* quoted, bool implicit) {
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

  // ---- FROM -------------------------------------------------------------

  Status From(FromClause* from) {
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
  Status PathSteps(std::vector<PathStep>* path) {
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

  // ---- expressions (lowest precedence first) -------------------------------

  ExprPtr Node(ExprKind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = at.line;
    e->column = at.column;
    return e;
  }
  ExprPtr Binary(BinaryOp op, const Token& at, ExprPtr l, ExprPtr r) {
    ExprPtr e = Node(ExprKind::kBinary, at);
    e->op = op;
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };

  Result<ExprPtr> Expression() {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxDepth) return ErrorAt(Peek(), "expression nested too deeply");
    return Or();
  }

  Result<ExprPtr> Or() {
    MP_ASSIGN_OR_RETURN(ExprPtr left, And());
    while (PeekWord("OR")) {
      const Token& at = Take();
      MP_ASSIGN_OR_RETURN(ExprPtr right, And());
      left = Binary(BinaryOp::kOr, at, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> And() {
    MP_ASSIGN_OR_RETURN(ExprPtr left, Not());
    while (PeekWord("AND")) {
      const Token& at = Take();
      MP_ASSIGN_OR_RETURN(ExprPtr right, Not());
      left = Binary(BinaryOp::kAnd, at, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> Not() {
    if (PeekWord("NOT")) {
      const Token& at = Take();
      DepthGuard guard(&depth_);
      if (depth_ > kMaxDepth) return ErrorAt(at, "expression nested too deeply");
      MP_ASSIGN_OR_RETURN(ExprPtr operand, Not());
      ExprPtr e = Node(ExprKind::kNot, at);
      e->args.push_back(std::move(operand));
      return e;
    }
    return Equality();
  }

  Result<ExprPtr> Equality() {
    MP_ASSIGN_OR_RETURN(ExprPtr left, Relational());
    while (PeekSymbol("=") || PeekSymbol("<>") || PeekSymbol("!=")) {
      const Token& at = Take();
      MP_ASSIGN_OR_RETURN(ExprPtr right, Relational());
      left = Binary(at.text == "=" ? BinaryOp::kEq : BinaryOp::kNe, at, std::move(left),
                    std::move(right));
    }
    return left;
  }

  Result<ExprPtr> Relational() {
    MP_ASSIGN_OR_RETURN(ExprPtr left, Predicate());
    while (PeekSymbol("<") || PeekSymbol("<=") || PeekSymbol(">") || PeekSymbol(">=")) {
      const Token& at = Take();
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
  Result<ExprPtr> Predicate() {
    MP_ASSIGN_OR_RETURN(ExprPtr left, Additive());
    while (true) {
      bool negated = false;
      const Token& at = Peek();
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

  Result<ExprPtr> Additive() {
    MP_ASSIGN_OR_RETURN(ExprPtr left, Multiplicative());
    while (PeekSymbol("+") || PeekSymbol("-") || PeekSymbol("||")) {
      const Token& at = Take();
      BinaryOp op = at.text == "+"   ? BinaryOp::kAdd
                    : at.text == "-" ? BinaryOp::kSub
                                     : BinaryOp::kConcat;
      MP_ASSIGN_OR_RETURN(ExprPtr right, Multiplicative());
      left = Binary(op, at, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> Multiplicative() {
    MP_ASSIGN_OR_RETURN(ExprPtr left, Unary());
    while (PeekSymbol("*") || PeekSymbol("/") || PeekSymbol("%")) {
      const Token& at = Take();
      BinaryOp op = at.text == "*"   ? BinaryOp::kMul
                    : at.text == "/" ? BinaryOp::kDiv
                                     : BinaryOp::kMod;
      MP_ASSIGN_OR_RETURN(ExprPtr right, Unary());
      left = Binary(op, at, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> Unary() {
    if (PeekSymbol("-") || PeekSymbol("+")) {
      const Token& at = Take();
      DepthGuard guard(&depth_);
      if (depth_ > kMaxDepth) return ErrorAt(at, "expression nested too deeply");
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

  Result<ExprPtr> Literal(Value v, const Token& at) {
    Take();
    ExprPtr e = Node(ExprKind::kLiteral, at);
    e->literal = std::move(v);
    return e;
  }

  Result<ExprPtr> Primary() {
    const Token& tok = Peek();
    switch (tok.kind) {
      case TokenKind::kString:
        return Literal(Value::String(tok.text), tok);
      case TokenKind::kInteger: {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), v);
        if (ec == std::errc() && p == tok.text.data() + tok.text.size()) {
          return Literal(Value::Int(v), tok);
        }
        return Literal(Value::Decimal(std::strtod(tok.text.c_str(), nullptr)), tok);
      }
      case TokenKind::kNumber:
        return Literal(Value::Decimal(std::strtod(tok.text.c_str(), nullptr)), tok);
      case TokenKind::kFloat:
        return Literal(Value::Float(std::strtod(tok.text.c_str(), nullptr)), tok);
      case TokenKind::kTimestamp: {
        Result<Timestamp> ts = ParseTimestamp(tok.text);
        if (!ts.ok()) return ErrorAt(tok, ts.status().message());
        return Literal(Value::Time(*ts), tok);
      }
      case TokenKind::kQuotedIdentifier:
        return Column();
      case TokenKind::kSymbol:
        if (tok.text == "(") {
          if (PeekWord("SELECT", 1)) return Unsupported("a subquery");
          Take();
          MP_ASSIGN_OR_RETURN(ExprPtr inner, Expression());
          MP_RETURN_IF_ERROR(ExpectSymbol(")"));
          return inner;
        }
        return Expected("an expression");
      case TokenKind::kEnd:
        return Expected("an expression");
      case TokenKind::kIdentifier:
        break;
    }
    if (PeekWord("NULL")) return Literal(Value::Null(), tok);
    if (PeekWord("MISSING")) return Literal(Value::Missing(), tok);
    if (PeekWord("TRUE")) return Literal(Value::Bool(true), tok);
    if (PeekWord("FALSE")) return Literal(Value::Bool(false), tok);
    if (PeekWord("CASE")) return Case();
    if (PeekWord("CAST")) return Cast();
    if (PeekSymbol("(", 1)) return Call();
    if (PeekWord("SELECT")) return Unsupported("a subquery");
    return Column();
  }

  Result<ExprPtr> Column() {
    const Token& at = Peek();
    ExprPtr e = Node(ExprKind::kColumn, at);
    PathStep first;
    MP_RETURN_IF_ERROR(Name(&first.name, &first.quoted));
    e->path.push_back(std::move(first));
    MP_RETURN_IF_ERROR(PathSteps(&e->path));
    return e;
  }

  Result<ExprPtr> Case() {
    const Token& at = Take();
    ExprPtr e = Node(ExprKind::kCase, at);
    if (!PeekWord("WHEN")) {
      MP_ASSIGN_OR_RETURN(e->case_operand, Expression());
    }
    if (!PeekWord("WHEN")) return Expected("WHEN");
    while (TakeWord("WHEN")) {
      MP_ASSIGN_OR_RETURN(ExprPtr when, Expression());
      MP_RETURN_IF_ERROR(ExpectWord("THEN"));
      MP_ASSIGN_OR_RETURN(ExprPtr then, Expression());
      e->args.push_back(std::move(when));
      e->args.push_back(std::move(then));
    }
    if (TakeWord("ELSE")) {
      MP_ASSIGN_OR_RETURN(e->case_else, Expression());
    }
    MP_RETURN_IF_ERROR(ExpectWord("END"));
    return e;
  }

  Result<ExprPtr> Cast() {
    const Token& at = Take();
    MP_RETURN_IF_ERROR(ExpectSymbol("("));
    ExprPtr e = Node(ExprKind::kCast, at);
    MP_ASSIGN_OR_RETURN(ExprPtr operand, Expression());
    e->args.push_back(std::move(operand));
    MP_RETURN_IF_ERROR(ExpectWord("AS"));
    static const std::pair<const char*, CastType> kTypes[] = {{"INT", CastType::kInt},
                                                              {"INTEGER", CastType::kInt},
                                                              {"FLOAT", CastType::kFloat},
                                                              {"DOUBLE", CastType::kFloat},
                                                              {"DECIMAL", CastType::kDecimal},
                                                              {"NUMERIC", CastType::kDecimal},
                                                              {"STRING", CastType::kString},
                                                              {"VARCHAR", CastType::kString},
                                                              {"BOOL", CastType::kBool},
                                                              {"BOOLEAN", CastType::kBool},
                                                              {"TIMESTAMP", CastType::kTimestamp}};
    bool found = false;
    for (const auto& [name, type] : kTypes) {
      if (PeekWord(name)) {
        e->cast_type = type;
        found = true;
        break;
      }
    }
    if (!found) return Expected("a type (INT, FLOAT, DECIMAL, STRING, BOOL, TIMESTAMP)");
    Take();
    if (TakeSymbol("(")) {  // DECIMAL(p[, s]): precision accepted, not enforced
      do {
        if (Peek().kind != TokenKind::kInteger) return Expected("a precision");
        Take();
      } while (TakeSymbol(","));
      MP_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    MP_RETURN_IF_ERROR(ExpectSymbol(")"));
    return e;
  }

  Result<ExprPtr> DatePartWord() {
    const Token& tok = Peek();
    if (tok.kind != TokenKind::kIdentifier || !IsDatePart(tok.text)) {
      return Expected("a date part (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)");
    }
    return Literal(Value::String(Lower(tok.text)), tok);
  }

  Result<ExprPtr> Aggregate(const Token& at, AggregateKind kind) {
    ExprPtr e = Node(ExprKind::kAggregate, at);
    e->aggregate = kind;
    if (kind == AggregateKind::kCount && TakeSymbol("*")) {
      // COUNT(*): no argument
    } else {
      e->distinct = TakeWord("DISTINCT");
      if (!e->distinct) (void)TakeWord("ALL");
      if (in_aggregate_) return ErrorAt(at, "an aggregate cannot contain another aggregate");
      in_aggregate_ = true;
      Result<ExprPtr> arg = Expression();
      in_aggregate_ = false;
      if (!arg.ok()) return arg.status();
      e->args.push_back(std::move(*arg));
    }
    MP_RETURN_IF_ERROR(ExpectSymbol(")"));
    e->slot = slots_++;
    return e;
  }

  Result<ExprPtr> Call() {
    const Token& at = Take();
    Take();  // (
    static const std::pair<const char*, AggregateKind> kAggregates[] = {
        {"COUNT", AggregateKind::kCount},
        {"SUM", AggregateKind::kSum},
        {"AVG", AggregateKind::kAvg},
        {"MIN", AggregateKind::kMin},
        {"MAX", AggregateKind::kMax}};
    for (const auto& [name, kind] : kAggregates) {
      if (EqualsNoCase(at.text, name)) return Aggregate(at, kind);
    }
    const FunctionDef* f = FindFunction(at.text);
    if (f == nullptr) return ErrorAt(at, fmt::format("unknown function '{}'", at.text));
    ExprPtr e = Node(ExprKind::kCall, at);
    e->function = f;
    MP_RETURN_IF_ERROR(Arguments(f, e.get()));
    MP_RETURN_IF_ERROR(ExpectSymbol(")"));
    int n = static_cast<int>(e->args.size());
    if (n < f->min_args || n > f->max_args) {
      return ErrorAt(
          at, fmt::format("wrong number of arguments to {}: expected {}", f->name, f->signature));
    }
    return e;
  }

  Status Push(Expr* e, Result<ExprPtr> arg) {
    if (!arg.ok()) return arg.status();
    e->args.push_back(std::move(*arg));
    return Status::Ok();
  }

  Status Arguments(const FunctionDef* f, Expr* e) {
    switch (f->syntax) {
      case ArgSyntax::kPlain:
        break;
      case ArgSyntax::kDatePart:
        MP_RETURN_IF_ERROR(Push(e, DatePartWord()));
        if (PeekSymbol(")")) return Status::Ok();
        MP_RETURN_IF_ERROR(ExpectSymbol(","));
        break;
      case ArgSyntax::kExtract:
        MP_RETURN_IF_ERROR(Push(e, DatePartWord()));
        MP_RETURN_IF_ERROR(ExpectWord("FROM"));
        return Push(e, Expression());
      case ArgSyntax::kSubstring:
        MP_RETURN_IF_ERROR(Push(e, Expression()));
        if (TakeWord("FROM")) {
          MP_RETURN_IF_ERROR(Push(e, Expression()));
          if (TakeWord("FOR")) MP_RETURN_IF_ERROR(Push(e, Expression()));
          return Status::Ok();
        }
        while (TakeSymbol(",")) MP_RETURN_IF_ERROR(Push(e, Expression()));
        return Status::Ok();
      case ArgSyntax::kTrim:
        return TrimArguments(e);
    }
    if (PeekSymbol(")")) return Status::Ok();
    do {
      MP_RETURN_IF_ERROR(Push(e, Expression()));
    } while (TakeSymbol(","));
    return Status::Ok();
  }

  // TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] s) -> (mode, chars, s)
  Status TrimArguments(Expr* e) {
    const Token& at = Peek();
    std::string mode = "both";
    bool has_mode = false;
    for (const char* m : {"LEADING", "TRAILING", "BOTH"}) {
      if (TakeWord(m)) {
        mode = Lower(m);
        has_mode = true;
        break;
      }
    }
    ExprPtr mode_lit = Node(ExprKind::kLiteral, at);
    mode_lit->literal = Value::String(mode);
    e->args.push_back(std::move(mode_lit));
    ExprPtr chars;
    if (!has_mode || !PeekWord("FROM")) {
      MP_ASSIGN_OR_RETURN(chars, Expression());
    }
    if (TakeWord("FROM")) {
      if (!chars) {
        chars = Node(ExprKind::kLiteral, at);
        chars->literal = Value::String(" ");
      }
      e->args.push_back(std::move(chars));
      return Push(e, Expression());
    }
    if (has_mode) return Expected("FROM");
    ExprPtr space = Node(ExprKind::kLiteral, at);
    space->literal = Value::String(" ");
    e->args.push_back(std::move(space));
    e->args.push_back(std::move(chars));
    return Status::Ok();
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
  int slots_ = 0;
  bool in_aggregate_ = false;
};

}  // namespace

Result<SelectStatement> ParseQuery(std::string_view sql) {
  if (sql.size() > kMaxQueryBytes) {
    return Status::Invalid(
        fmt::format("query is {} bytes; the limit is {}", sql.size(), kMaxQueryBytes));
  }
  MP_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  return Parser(std::move(tokens)).Statement();
}

}  // namespace mailpulse::query
