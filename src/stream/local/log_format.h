// Constants of the embedded stream's on-disk format. The format itself is
// documented in docs/formats/stream-log.md; change both together.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mailpulse::log_format {

constexpr uint32_t kBatchMagic = 0x424C504D;  // "MPLB" little-endian
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kBatchHeaderSize = 48;
// Header bytes before the CRC-covered part (magic, crc).
constexpr size_t kCrcCoveredOffset = 8;

enum class Codec : uint8_t { kNone = 0, kZstd = 1 };

// Writers close a batch once its raw records reach this size.
constexpr size_t kTargetBatchRawBytes = 1 << 20;
// Readers refuse batches claiming more than this (corrupt lengths must not
// make us allocate gigabytes).
constexpr size_t kMaxBatchRawBytes = 64u << 20;

constexpr const char* kSegmentSuffix = ".seg";
constexpr int kSegmentNameDigits = 20;

}  // namespace mailpulse::log_format
