// S3 Select's reserved keywords (the SQL-92 set plus PartiQL's MISSING, BAG,
// LIST, STRUCT, ...). A reserved word cannot be an unquoted identifier:
// `s.timestamp` must be written `s."timestamp"` (S3 answers a parse error,
// as we do). Matching is ASCII case-insensitive. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace mailpulse::query {

bool IsReservedKeyword(std::string_view word);
// ASCII case-insensitive equality, shared by the lexer's users.
bool EqualsNoCase(std::string_view a, std::string_view b);
// ASCII case mapping (SQL keywords, date parts, LOWER/UPPER); other bytes
// are kept, so UTF-8 text passes through.
std::string AsciiLower(std::string s);
std::string AsciiUpper(std::string s);

}  // namespace mailpulse::query
