// SHA-256, HMAC-SHA-256 and lowercase hex: the digests AWS request signing
// (SigV4) and S3 checksums are built from. Thin wrappers over OpenSSL so no
// caller touches EVP directly. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace mailpulse {

// The 32 raw digest bytes of `data`.
std::string Sha256(std::string_view data);
// The 32 raw bytes of HMAC-SHA-256(key, data).
std::string HmacSha256(std::string_view key, std::string_view data);
// Lowercase hex of arbitrary bytes ("\x01\xab" -> "01ab").
std::string HexEncode(std::string_view bytes);

}  // namespace mailpulse
