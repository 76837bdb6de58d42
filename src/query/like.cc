#include "query/like.h"

#include <vector>

#include "query/utf8.h"

namespace mailpulse::query {
namespace {

struct PatternChar {
  enum class Kind { kLiteral, kOne, kAny };
  Kind kind;
  std::string_view text;
};

}  // namespace

Result<bool> LikeMatch(std::string_view text, std::string_view pattern,
                       std::optional<std::string_view> escape) {
  if (escape.has_value() && SplitCharacters(*escape).size() != 1) {
    return Status::Invalid("LIKE's ESCAPE must be a single character");
  }
  std::vector<std::string_view> raw = SplitCharacters(pattern);
  std::vector<PatternChar> p;
  p.reserve(raw.size());
  for (size_t k = 0; k < raw.size(); ++k) {
    if (escape.has_value() && raw[k] == *escape) {
      if (k + 1 == raw.size())
        return Status::Invalid("LIKE pattern ends with its escape character");
      p.push_back({PatternChar::Kind::kLiteral, raw[++k]});
    } else if (raw[k] == "%") {
      p.push_back({PatternChar::Kind::kAny, raw[k]});
    } else if (raw[k] == "_") {
      p.push_back({PatternChar::Kind::kOne, raw[k]});
    } else {
      p.push_back({PatternChar::Kind::kLiteral, raw[k]});
    }
  }
  std::vector<std::string_view> t = SplitCharacters(text);
  size_t i = 0, j = 0;
  size_t star_j = SIZE_MAX, star_i = 0;
  while (i < t.size()) {
    if (j < p.size() && (p[j].kind == PatternChar::Kind::kOne ||
                         (p[j].kind == PatternChar::Kind::kLiteral && p[j].text == t[i]))) {
      ++i;
      ++j;
    } else if (j < p.size() && p[j].kind == PatternChar::Kind::kAny) {
      star_j = j++;
      star_i = i;
    } else if (star_j != SIZE_MAX) {
      j = star_j + 1;
      i = ++star_i;
    } else {
      return false;
    }
  }
  while (j < p.size() && p[j].kind == PatternChar::Kind::kAny) ++j;
  return j == p.size();
}

}  // namespace mailpulse::query
