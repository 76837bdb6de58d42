#include "common/base64.h"

#include <array>
#include <cstdint>

namespace mailpulse {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps a byte to its 6-bit value, or -1 when it is not in the alphabet.
constexpr std::array<int8_t, 256> MakeReverse() {
  std::array<int8_t, 256> r{};
  for (auto& v : r) v = -1;
  for (int i = 0; i < 64; ++i) r[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return r;
}
constexpr std::array<int8_t, 256> kReverse = MakeReverse();

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(bytes[i + 2])};
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return Status::Invalid("base64: length " + std::to_string(text.size()) +
                           " is not a multiple of 4");
  }
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = (text[text.size() - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    size_t symbols = last ? 4 - pad : 4;
    uint32_t n = 0;
    for (size_t j = 0; j < 4; ++j) {
      n <<= 6;
      if (j >= symbols) continue;  // a padding position, checked below
      int8_t v = kReverse[static_cast<uint8_t>(text[i + j])];
      if (v < 0) {
        return Status::Invalid("base64: invalid character at offset " + std::to_string(i + j));
      }
      n |= static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (symbols >= 3) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (symbols == 4) out.push_back(static_cast<char>(n & 0xff));
    // Canonical form: the bits a padded group does not carry must be zero.
    if ((symbols == 2 && (n & 0xffff) != 0) || (symbols == 3 && (n & 0xff) != 0)) {
      return Status::Invalid("base64: non-zero trailing bits at offset " + std::to_string(i));
    }
  }
  return out;
}

}  // namespace mailpulse
