// CRC32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of every
// stream log batch and checkpoint (docs/formats/stream-log.md).
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
// run time) and a slicing table otherwise; both give identical results.
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mailpulse::crc32c {

// CRC of data[0..n) continuing from `crc`, the CRC of some earlier bytes
// (0 for none): Extend(Value(a), b) == Value(a + b).
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// True when the hardware path is in use (for logs and tests).
bool HardwareAccelerated();
// The table path regardless of the CPU, so tests can cross-check both.
uint32_t ExtendPortableForTest(uint32_t crc, const char* data, size_t n);

}  // namespace mailpulse::crc32c
