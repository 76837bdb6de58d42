// S3 Select's reserved keywords (the SQL-92 set plus PartiQL's MISSING, BAG,
// LIST, STRUCT, ...). A reserved word cannot be an unquoted identifier:
// `s.timestamp` must be written `s."timestamp"` (S3 answers a parse error,
// as we do). Matching is ASCII case-insensitive. Thread-safe.
#pragma once

#include <string_view>

namespace mailpulse::query {

bool IsReservedKeyword(std::string_view word);
// ASCII case-insensitive equality, shared by the lexer's users.
bool EqualsNoCase(std::string_view a, std::string_view b);

}  // namespace mailpulse::query
