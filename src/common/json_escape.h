// Writing JSON string literals. Used wherever mailpulse emits JSON text by
// hand (record envelopes, error output) so escaping is done in one place.
#pragma once

#include <string>
#include <string_view>

namespace mailpulse {

// Appends `s` as a quoted JSON string. Escapes '"', '\\' and every byte below
// 0x20 (as \n, \r, \t, \b, \f or \u00XX); other bytes are copied as they are,
// so valid UTF-8 in gives valid JSON out.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace mailpulse
