// MD5 (RFC 1321), for Kinesis-compatible shard choice only — never for
// security. Hashing a ~22-byte partition key through OpenSSL's EVP layer
// costs several times the hash itself, and ingest does it once per event,
// so this is a direct, allocation-free implementation. Cross-checked against
// OpenSSL in tests/common/md5_test.cc.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace mailpulse {

std::array<uint8_t, 16> Md5(std::string_view data);

}  // namespace mailpulse
