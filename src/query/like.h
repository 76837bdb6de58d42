// SQL LIKE: `%` matches any run of characters, `_` exactly one character
// (a UTF-8 code point), and the optional escape character makes the next
// pattern character literal. Linear-backtracking match, no recursion, so
// hostile patterns cost O(text * pattern) at worst. Thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"

namespace mailpulse::query {

// kInvalid when `escape` is not one character or the pattern ends with it.
Result<bool> LikeMatch(std::string_view text, std::string_view pattern,
                       std::optional<std::string_view> escape);

}  // namespace mailpulse::query
