#include "query/lexer.h"

#include <fmt/format.h>

namespace mailpulse::query {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentPart(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpaceAndComments();
      Token t;
      t.line = line_;
      t.column = column_;
      if (pos_ >= s_.size()) {
        out.push_back(t);
        return out;
      }
      Status st = Next(&t);
      if (!st.ok()) return st;
      out.push_back(std::move(t));
    }
  }

 private:
  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  void Advance(size_t n = 1) {
    for (size_t i = 0; i < n && pos_ < s_.size(); ++i, ++pos_) {
      if (s_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  void SkipSpaceAndComments() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        Advance();
      } else if (c == '-' && At(pos_ + 1) == '-') {
        while (pos_ < s_.size() && s_[pos_] != '\n') Advance();
      } else {
        return;
      }
    }
  }

  Status Error(const Token& t, const std::string& what) const {
    return Status::Invalid(fmt::format("line {}, column {}: {}", t.line, t.column, what));
  }

  // A literal closed by `quote`, where a doubled quote stands for one.
  Status Quoted(Token* t, char quote, const char* what) {
    Advance();
    while (true) {
      if (pos_ >= s_.size()) return Error(*t, fmt::format("unterminated {}", what));
      char c = s_[pos_];
      if (c == quote) {
        if (At(pos_ + 1) == quote && quote != '`') {
          t->text += quote;
          Advance(2);
          continue;
        }
        Advance();
        return Status::Ok();
      }
      t->text += c;
      Advance();
    }
  }

  Status Next(Token* t) {
    char c = s_[pos_];
    if (IsIdentStart(c)) {
      t->kind = TokenKind::kIdentifier;
      size_t start = pos_;
      while (pos_ < s_.size() && IsIdentPart(s_[pos_])) Advance();
      t->text = std::string(s_.substr(start, pos_ - start));
      return Status::Ok();
    }
    if (IsDigit(c) || (c == '.' && IsDigit(At(pos_ + 1)))) return Number(t);
    if (c == '\'') {
      t->kind = TokenKind::kString;
      return Quoted(t, '\'', "string literal");
    }
    if (c == '"') {
      t->kind = TokenKind::kQuotedIdentifier;
      return Quoted(t, '"', "quoted identifier");
    }
    if (c == '`') {
      t->kind = TokenKind::kTimestamp;
      return Quoted(t, '`', "timestamp literal");
    }
    static const char* const kTwo[] = {"<=", ">=", "<>", "!=", "||"};
    for (const char* op : kTwo) {
      if (c == op[0] && At(pos_ + 1) == op[1]) {
        t->kind = TokenKind::kSymbol;
        t->text = op;
        Advance(2);
        return Status::Ok();
      }
    }
    if (std::string_view("+-*/%=<>(),.[];").find(c) != std::string_view::npos) {
      t->kind = TokenKind::kSymbol;
      t->text = std::string(1, c);
      Advance();
      return Status::Ok();
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Error(*t, fmt::format("unexpected character 0x{:02x}", static_cast<unsigned char>(c)));
    }
    return Error(*t, fmt::format("unexpected character '{}'", c));
  }

  Status Number(Token* t) {
    size_t start = pos_;
    t->kind = TokenKind::kInteger;
    while (IsDigit(At(pos_))) Advance();
    if (At(pos_) == '.' && IsDigit(At(pos_ + 1))) {
      t->kind = TokenKind::kNumber;
      Advance();
      while (IsDigit(At(pos_))) Advance();
    } else if (At(pos_) == '.' && !IsIdentStart(At(pos_ + 1))) {
      t->kind = TokenKind::kNumber;  // "1." is 1.0
      Advance();
    }
    if (At(pos_) == 'e' || At(pos_) == 'E') {
      size_t k = pos_ + 1;
      if (At(k) == '+' || At(k) == '-') ++k;
      if (IsDigit(At(k))) {
        t->kind = TokenKind::kFloat;
        Advance(k - pos_);
        while (IsDigit(At(pos_))) Advance();
      }
    }
    if (IsIdentStart(At(pos_))) {
      return Error(*t, fmt::format("malformed number '{}'", s_.substr(start, pos_ - start + 1)));
    }
    t->text = std::string(s_.substr(start, pos_ - start));
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view sql) { return Lexer(sql).Run(); }

std::string DescribeToken(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd:
      return "end of query";
    case TokenKind::kString:
      return "string '" + t.text + "'";
    case TokenKind::kQuotedIdentifier:
      return "\"" + t.text + "\"";
    case TokenKind::kTimestamp:
      return "`" + t.text + "`";
    default:
      return "'" + t.text + "'";
  }
}

}  // namespace mailpulse::query
