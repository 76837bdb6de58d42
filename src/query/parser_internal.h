// The recursive-descent parser behind ParseQuery (parser.h), shared by its
// two source files: parser.cc (statement, clauses, operators by precedence)
// and parser_terms.cc (literals, names, CASE, CAST, function calls and their
// special argument syntaxes). Not for use outside src/query/parser*.cc.
// One Parser parses one statement; not thread-safe.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/ast.h"
#include "query/functions.h"
#include "query/keywords.h"
#include "query/lexer.h"
#include "query/parser.h"

namespace mailpulse::query::internal {

using ExprPtr = std::unique_ptr<Expr>;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}
  Result<SelectStatement> Statement();

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

  // ---- tree building ---------------------------------------------------------

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

  // Bounds the height of the tree (kMaxDepth): parentheses, NOT, unary
  // minus and every link of an operator chain (a + b + c ...) count, so no
  // query builds a tree deep enough to exhaust the stack when evaluated,
  // printed or destroyed. Grow() adds a level until the guard goes.
  class DepthGuard {
   public:
    explicit DepthGuard(int* depth) : depth_(depth) {}
    ~DepthGuard() { *depth_ -= added_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    bool Grow() {
      ++*depth_;
      ++added_;
      return *depth_ <= kMaxDepth;
    }

   private:
    int* depth_;
    int added_ = 0;
  };
  Status TooDeep(const Token& at) const { return ErrorAt(at, "expression nested too deeply"); }

  // ---- clauses and operators, loosest first (parser.cc) ------------------------

  // An identifier usable as a name: quoted, or unquoted and not reserved.
  Status Name(std::string* name, bool* quoted);
  // AS name, or (when `implicit`) a bare name, or nothing. The SELECT list
  // requires AS so that a misspelt FROM is reported as such, not taken as an
  // alias.
  Status OptionalAlias(std::string* alias, bool* quoted, bool implicit);
  Status From(FromClause* from);
  // Steps: .name  ."name"  .*  [n]  ['name']  [*]
  Status PathSteps(std::vector<PathStep>* path);
  Result<ExprPtr> Expression();
  Result<ExprPtr> Or();
  Result<ExprPtr> And();
  Result<ExprPtr> Not();
  Result<ExprPtr> Equality();
  Result<ExprPtr> Relational();
  // a [NOT] LIKE p [ESCAPE e] | a [NOT] BETWEEN x AND y | a [NOT] IN (...) |
  // a IS [NOT] NULL|MISSING
  Result<ExprPtr> Predicate();
  Result<ExprPtr> Additive();
  Result<ExprPtr> Multiplicative();
  Result<ExprPtr> Unary();

  // ---- terms: literals, names, CASE, CAST, function calls (parser_terms.cc) ----

  Result<ExprPtr> Literal(Value v, const Token& at);
  Result<ExprPtr> Primary();
  Result<ExprPtr> Column();
  Result<ExprPtr> Case();
  Result<ExprPtr> Cast();
  Result<ExprPtr> DatePartWord();
  Result<ExprPtr> Aggregate(const Token& at, AggregateKind kind);
  Result<ExprPtr> Call();
  Status Push(Expr* e, Result<ExprPtr> arg);
  Status Arguments(const FunctionDef* f, Expr* e);
  // TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] s) -> (mode, chars, s)
  Status TrimArguments(Expr* e);

  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
  int slots_ = 0;
  bool in_aggregate_ = false;
};

}  // namespace mailpulse::query::internal
