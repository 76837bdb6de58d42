// Parser: SQL text -> SelectStatement (ast.h), by recursive descent over the
// lexer's tokens. Grammar, precedence and extensions: docs/query.md.
//
// Errors are kInvalid values that name the place and what was expected:
//   line 1, column 15: expected FROM, found 'FORM'
// and features S3 Select lacks are named (joins, subqueries, DISTINCT, ...).
// Untrusted input: the text is bounded (kMaxQueryBytes) and nesting is
// bounded (kMaxDepth), so no input can exhaust the stack (fuzz/).
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "query/ast.h"

namespace mailpulse::query {

inline constexpr size_t kMaxQueryBytes = 256 * 1024;  // S3 Select's limit
inline constexpr int kMaxDepth = 500;

Result<SelectStatement> ParseQuery(std::string_view sql);

}  // namespace mailpulse::query
