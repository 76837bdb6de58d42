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

namespace {

// A compiled pattern; views point into `pattern`.
struct Compiled {
  std::string pattern;
  std::optional<std::string> escape;
  std::vector<PatternChar> chars;
  bool has_one = false;  // any `_`
  // Without `_`: the literal runs between `%`s, and whether `%` opens/closes.
  std::vector<std::string> runs;
  bool leading_any = false, trailing_any = false;
  Status error;
};

void Compile(Compiled* c) {
  c->chars.clear();
  c->has_one = false;
  c->error = Status::Ok();
  if (c->escape.has_value() && SplitCharacters(*c->escape).size() != 1) {
    c->error = Status::Invalid("LIKE's ESCAPE must be a single character");
    return;
  }
  std::vector<std::string_view> raw = SplitCharacters(c->pattern);
  c->chars.reserve(raw.size());
  for (size_t k = 0; k < raw.size(); ++k) {
    if (c->escape.has_value() && raw[k] == *c->escape) {
      if (k + 1 == raw.size()) {
        c->error = Status::Invalid("LIKE pattern ends with its escape character");
        return;
      }
      c->chars.push_back({PatternChar::Kind::kLiteral, raw[++k]});
    } else if (raw[k] == "%") {
      c->chars.push_back({PatternChar::Kind::kAny, raw[k]});
    } else if (raw[k] == "_") {
      c->chars.push_back({PatternChar::Kind::kOne, raw[k]});
      c->has_one = true;
    } else {
      c->chars.push_back({PatternChar::Kind::kLiteral, raw[k]});
    }
  }
  const std::vector<PatternChar>& p = c->chars;
  c->runs.assign(1, std::string());
  c->leading_any = !p.empty() && p.front().kind == PatternChar::Kind::kAny;
  c->trailing_any = !p.empty() && p.back().kind == PatternChar::Kind::kAny;
  for (const PatternChar& ch : p) {
    if (ch.kind == PatternChar::Kind::kAny) {
      if (!c->runs.back().empty()) c->runs.emplace_back();
    } else {
      c->runs.back().append(ch.text);
    }
  }
  if (c->runs.back().empty()) c->runs.pop_back();
}

// Patterns of literals and `%` only match byte-wise: UTF-8 is
// self-synchronizing, so a literal's bytes can match only at character
// boundaries, and `%` then spans whole characters. Greedy search of each
// literal run in order is exact for such patterns.
bool MatchBytes(std::string_view text, const Compiled& c) {
  const std::vector<std::string>& runs = c.runs;
  const bool leading_any = c.leading_any, trailing_any = c.trailing_any;
  if (c.chars.empty()) return text.empty();
  if (runs.empty()) return true;  // only %
  size_t pos = 0;
  size_t first = 0, last = runs.size();
  if (!leading_any) {
    if (!text.starts_with(runs[0])) return false;
    pos = runs[0].size();
    first = 1;
    if (runs.size() == 1 && !trailing_any) return text.size() == pos;
  }
  if (!trailing_any) {
    const std::string& tail = runs.back();
    if (last == first || text.size() < pos + tail.size() || !text.ends_with(tail)) return false;
    --last;
  }
  size_t end = trailing_any ? text.size() : text.size() - runs.back().size();
  for (size_t r = first; r < last; ++r) {
    size_t at = text.substr(0, end).find(runs[r], pos);
    if (at == std::string_view::npos) return false;
    pos = at + runs[r].size();
  }
  return pos <= end;
}

bool MatchChars(std::string_view text, const std::vector<PatternChar>& p) {
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

}  // namespace

Result<bool> LikeMatch(std::string_view text, std::string_view pattern,
                       std::optional<std::string_view> escape) {
  // A query applies the same pattern to every row: compile it once per thread.
  thread_local Compiled c;
  thread_local bool valid = false;
  if (!valid || c.pattern != pattern || c.escape.has_value() != escape.has_value() ||
      (escape.has_value() && *c.escape != *escape)) {
    c.pattern.assign(pattern);
    c.escape = escape ? std::optional<std::string>(std::string(*escape)) : std::nullopt;
    Compile(&c);
    valid = true;
  }
  if (!c.error.ok()) return c.error;
  return c.has_one ? MatchChars(text, c.chars) : MatchBytes(text, c);
}

}  // namespace mailpulse::query
