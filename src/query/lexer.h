// Lexer: SQL text -> tokens, each with its 1-based line and column so parse
// errors can point at the offending character.
//
// Tokens: identifiers (keywords are identifiers the parser recognises,
// case-insensitively), "quoted identifiers" ("" escapes a quote, matched
// case-sensitively), 'strings' ('' escapes a quote), numbers (123, 1.5, .5,
// 1e3), `timestamp literals`, and operators. `-- comments` run to the end of
// the line. Untrusted input: never reads past the text (fuzzed, fuzz/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailpulse::query {

enum class TokenKind {
  kEnd,
  kIdentifier,
  kQuotedIdentifier,
  kString,
  kInteger,  // digits only
  kNumber,   // with a point: DECIMAL
  kFloat,    // with an exponent: FLOAT
  kTimestamp,
  kSymbol,  // operators and punctuation: text holds it ("<=", "(", ...)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // unescaped for strings and quoted identifiers
  int line = 1;
  int column = 1;
};

// The tokens of `sql`, ending with one kEnd token; kInvalid
// "line L, column C: ..." on an unterminated literal or a stray character.
Result<std::vector<Token>> Tokenize(std::string_view sql);

// How a token reads in an error message: 'FORM', end of query, ...
std::string DescribeToken(const Token& t);

}  // namespace mailpulse::query
