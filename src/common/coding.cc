#include "common/coding.h"

namespace mailpulse {

bool GetVarint64(std::string_view& in, uint64_t& v) {
  uint64_t result = 0;
  for (size_t i = 0; i < in.size() && i < 10; ++i) {
    uint64_t byte = static_cast<uint8_t>(in[i]);
    if (i == 9 && byte > 1) return false;  // would overflow 64 bits
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      in.remove_prefix(i + 1);
      v = result;
      return true;
    }
  }
  return false;
}

bool GetVarint32(std::string_view& in, uint32_t& v) {
  std::string_view copy = in;
  uint64_t v64 = 0;
  if (!GetVarint64(copy, v64) || v64 > UINT32_MAX) return false;
  in = copy;
  v = static_cast<uint32_t>(v64);
  return true;
}

}  // namespace mailpulse
