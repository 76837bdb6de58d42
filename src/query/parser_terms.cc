// Terms of the grammar (parser_internal.h): literals, column paths, CASE,
// CAST, aggregates and function calls with their special argument syntaxes
// (EXTRACT(part FROM t), SUBSTRING(s FROM a FOR b), TRIM(LEADING c FROM s)).
#include <charconv>
#include <cstdlib>

#include "query/parser_internal.h"

namespace mailpulse::query::internal {

Result<ExprPtr> Parser::Literal(Value v, const Token& at) {
  Take();
  ExprPtr e = Node(ExprKind::kLiteral, at);
  e->literal = std::move(v);
  return e;
}

Result<ExprPtr> Parser::Primary() {
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

Result<ExprPtr> Parser::Column() {
  const Token& at = Peek();
  ExprPtr e = Node(ExprKind::kColumn, at);
  PathStep first;
  MP_RETURN_IF_ERROR(Name(&first.name, &first.quoted));
  e->path.push_back(std::move(first));
  MP_RETURN_IF_ERROR(PathSteps(&e->path));
  return e;
}

Result<ExprPtr> Parser::Case() {
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

Result<ExprPtr> Parser::Cast() {
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

Result<ExprPtr> Parser::DatePartWord() {
  const Token& tok = Peek();
  if (tok.kind != TokenKind::kIdentifier || !IsDatePart(tok.text)) {
    return Expected("a date part (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)");
  }
  return Literal(Value::String(AsciiLower(tok.text)), tok);
}

Result<ExprPtr> Parser::Aggregate(const Token& at, AggregateKind kind) {
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

Result<ExprPtr> Parser::Call() {
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

Status Parser::Push(Expr* e, Result<ExprPtr> arg) {
  if (!arg.ok()) return arg.status();
  e->args.push_back(std::move(*arg));
  return Status::Ok();
}

Status Parser::Arguments(const FunctionDef* f, Expr* e) {
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
Status Parser::TrimArguments(Expr* e) {
  const Token& at = Peek();
  std::string mode = "both";
  bool has_mode = false;
  for (const char* m : {"LEADING", "TRAILING", "BOTH"}) {
    if (TakeWord(m)) {
      mode = AsciiLower(m);
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

}  // namespace mailpulse::query::internal
