// UTF-8 code point helpers for the string functions and LIKE: S3 Select
// counts and slices characters, not bytes. Malformed bytes count as one
// character each, so no input is rejected or read past its end.
#pragma once

#include <string_view>
#include <vector>

namespace mailpulse::query {

// The string split into characters (views into `s`).
std::vector<std::string_view> SplitCharacters(std::string_view s);

}  // namespace mailpulse::query
