// Little-endian fixed-width integers and LEB128 varints: the primitive
// encodings of on-disk formats (docs/formats/stream-log.md).
//
// Encoders append to a std::string the caller owns and reuses; decoders read
// from a string_view they advance and return false on truncated or
// over-long input, never reading past its end. Pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mailpulse {

inline void EncodeFixed32(char* dst, uint32_t v) { std::memcpy(dst, &v, 4); }
inline void EncodeFixed64(char* dst, uint64_t v) { std::memcpy(dst, &v, 8); }
inline void EncodeFixed16(char* dst, uint16_t v) { std::memcpy(dst, &v, 2); }
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint16_t DecodeFixed16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
// (The memcpy forms assume a little-endian host, as x86-64 and arm64 are.)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "on-disk formats assume little-endian");

// Writes v at dst (room for 10 bytes) and returns the byte count.
inline int EncodeVarint64To(char* dst, uint64_t v) {
  int n = 0;
  while (v >= 0x80) {
    dst[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  dst[n++] = static_cast<char>(v);
  return n;
}
inline void PutVarint64(std::string& dst, uint64_t v) {
  char buf[10];
  dst.append(buf, static_cast<size_t>(EncodeVarint64To(buf, v)));
}

bool GetVarint64(std::string_view& in, uint64_t& v);
bool GetVarint32(std::string_view& in, uint32_t& v);

}  // namespace mailpulse
