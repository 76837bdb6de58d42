// Reading a request's query string (application/x-www-form-urlencoded, as
// browsers and curl send it): shared by every JSON API. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailpulse {

// The value of query parameter `name` (percent-decoded), or nullopt; "" for a
// name without '='.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name);
// %XX and '+' (form encoding: '+' is a space). Not for URL paths, where '+'
// is itself (use UriDecode, storage/s3/sigv4.h).
std::string PercentDecode(std::string_view s);

}  // namespace mailpulse
