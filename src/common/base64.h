// Base64 (RFC 4648 section 4, standard alphabet, '=' padding) for webhook
// keys, signatures and Basic auth credentials.
//
// Decoding is strict on purpose: these strings authenticate requests, so an
// input that is not canonical base64 (wrong length, missing padding, stray
// characters or whitespace, non-zero bits after the last symbol) is refused
// rather than guessed at. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mailpulse {

std::string Base64Encode(std::string_view bytes);

// Status::Invalid naming the offending position on malformed input.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace mailpulse
