#include "delivery/event_scan.h"

#include <simdjson.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "event/event.h"
#include "event/event_parser.h"

namespace mailpulse {
namespace {

// Deep enough for any SendGrid event (2 levels), far below the event
// parser's kMaxElementDepth.
constexpr int kMaxDepth = 32;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Bytes that end the plain run of a string: the quote, a backslash, raw
// control bytes. Bytes >= 0x80 are plain here; UTF-8 is checked once for
// the whole payload.
constexpr std::array<bool, 256> kStringStop = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

// "-"? digits, at most 18 of them: the event parser's integer text (its
// timestamp rule), leading zeros allowed.
bool IntegerText(std::string_view s, int64_t* out) {
  bool neg = !s.empty() && s.front() == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = neg ? -v : v;
  return true;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  bool Event(EventFields* f);

 private:
  void SkipSpace() {
    while (p_ < end_ && IsSpace(*p_)) ++p_;
  }
  bool At(char c) const { return p_ < end_ && *p_ == c; }
  // At a '"': the raw contents; *escaped when they hold a backslash.
  bool String(std::string_view* content, bool* escaped);
  bool Escape();
  // At '-' or a digit: the token; *integer when it has no fraction.
  bool Number(std::string_view* token, bool* integer);
  bool Literal(std::string_view word);
  bool Value(int depth);
  bool Object(int depth);
  bool Array(int depth);
  // Members after the key of an object or elements of an array: ',' or the
  // closing byte (consumed; *done set).
  bool Next(char close, bool* done);
  // The unescaped string or the number's text; empty for other types.
  bool Text(std::string_view* out);
  bool Category(std::string_view* out);

  const char* p_;
  const char* end_;
};

// The index of the first byte of `word` that ends a plain run ('"', '\\' or
// below 0x20), or 8. Borrows only run upward, so the lowest flagged byte is
// always a real one.
int FirstStop(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const uint64_t quote = word ^ (kOnes * '"'), backslash = word ^ (kOnes * '\\');
  const uint64_t hits = (((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                         ((word - kOnes * 0x20) & ~word)) &
                        kHigh;
  return hits == 0 ? 8 : std::countr_zero(hits) / 8;
}

bool Scanner::String(std::string_view* content, bool* escaped) {
  const char* start = ++p_;
  *escaped = false;
  for (;;) {
    // Eight bytes at a time (strings are most of an event), then bytewise.
    while (end_ - p_ >= 8) {
      uint64_t word;
      std::memcpy(&word, p_, 8);
      int stop = FirstStop(word);
      p_ += stop;
      if (stop < 8) break;
    }
    while (p_ < end_ && !kStringStop[static_cast<unsigned char>(*p_)]) ++p_;
    if (p_ >= end_) return false;
    if (*p_ == '"') {
      *content = std::string_view(start, static_cast<size_t>(p_ - start));
      ++p_;
      return true;
    }
    if (*p_ != '\\' || !Escape()) return false;
    *escaped = true;
  }
}

bool Scanner::Escape() {
  if (end_ - p_ < 2) return false;
  switch (p_[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      p_ += 2;
      return true;
    case 'u': {
      if (end_ - p_ < 6) return false;
      uint32_t cp = 0;
      for (int i = 2; i < 6; ++i) {
        int h = HexValue(p_[i]);
        if (h < 0) return false;
        cp = cp * 16 + static_cast<uint32_t>(h);
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // surrogates: the full parser decides
      p_ += 6;
      return true;
    }
    default:
      return false;
  }
}

bool Scanner::Number(std::string_view* token, bool* integer) {
  const char* start = p_;
  if (At('-')) ++p_;
  if (At('0')) {
    ++p_;
  } else {
    const char* digits = p_;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    if (p_ == digits || *digits == '0' || p_ - digits > 18) return false;
  }
  if (p_ < end_ && IsDigit(*p_)) return false;  // a leading zero
  *integer = true;
  if (At('.')) {
    ++p_;
    const char* digits = p_;
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    if (p_ == digits || p_ - digits > 20) return false;
    *integer = false;
  }
  if (At('e') || At('E')) return false;
  *token = std::string_view(start, static_cast<size_t>(p_ - start));
  return true;
}

bool Scanner::Literal(std::string_view word) {
  if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
    return false;
  }
  p_ += word.size();
  return true;
}

bool Scanner::Value(int depth) {
  if (p_ >= end_) return false;
  switch (*p_) {
    case '"': {
      std::string_view s;
      bool escaped;
      return String(&s, &escaped);
    }
    case '{':
      return depth < kMaxDepth && Object(depth + 1);
    case '[':
      return depth < kMaxDepth && Array(depth + 1);
    case 't':
      return Literal("true");
    case 'f':
      return Literal("false");
    case 'n':
      return Literal("null");
    default: {
      if (*p_ != '-' && !IsDigit(*p_)) return false;
      std::string_view token;
      bool integer;
      return Number(&token, &integer);
    }
  }
}

bool Scanner::Next(char close, bool* done) {
  SkipSpace();
  if (At(',')) {
    ++p_;
    SkipSpace();
    *done = false;
    return true;
  }
  if (At(close)) {
    ++p_;
    *done = true;
    return true;
  }
  return false;
}

bool Scanner::Object(int depth) {
  ++p_;
  SkipSpace();
  if (At('}')) {
    ++p_;
    return true;
  }
  for (bool done = false; !done;) {
    std::string_view key;
    bool escaped;
    if (!At('"') || !String(&key, &escaped)) return false;
    SkipSpace();
    if (!At(':')) return false;
    ++p_;
    SkipSpace();
    if (!Value(depth) || !Next('}', &done)) return false;
  }
  return true;
}

bool Scanner::Array(int depth) {
  ++p_;
  SkipSpace();
  if (At(']')) {
    ++p_;
    return true;
  }
  for (bool done = false; !done;) {
    if (!Value(depth) || !Next(']', &done)) return false;
  }
  return true;
}

bool Scanner::Text(std::string_view* out) {
  if (At('"')) {
    bool escaped;
    return String(out, &escaped) && !escaped;
  }
  if (p_ < end_ && (*p_ == '-' || IsDigit(*p_))) {
    bool integer;
    return Number(out, &integer);
  }
  return Value(1);
}

bool Scanner::Category(std::string_view* out) {
  if (At('"')) {
    bool escaped;
    return String(out, &escaped) && !escaped;
  }
  if (!At('[')) return Value(1);
  ++p_;
  SkipSpace();
  if (At(']')) {
    ++p_;
    return true;
  }
  bool first = true;
  for (bool done = false; !done; first = false) {
    if (first && At('"')) {
      bool escaped;
      if (!String(out, &escaped) || escaped) return false;
    } else if (!Value(2)) {
      return false;
    }
    if (!Next(']', &done)) return false;
  }
  return true;
}

bool Scanner::Event(EventFields* f) {
  if (!At('{')) return false;
  ++p_;
  SkipSpace();
  uint32_t seen = 0;
  bool done = At('}');
  if (done) ++p_;
  while (!done) {
    std::string_view key;
    bool escaped;
    if (!At('"') || !String(&key, &escaped) || escaped) return false;
    SkipSpace();
    if (!At(':')) return false;
    ++p_;
    SkipSpace();
    const int known = InterpretedKeyIndex(key);
    if (known >= 0) {
      const uint32_t bit = 1u << known;
      if ((seen & bit) != 0) return false;  // a duplicate: rejected by the full parser
      seen |= bit;
    }
    bool ok;
    if (known < 0) {
      ok = Value(1);
    } else if (key == "event") {
      ok = At('"') && String(&f->event, &escaped) && !escaped;
      f->has_event = true;
    } else if (key == "timestamp") {
      std::string_view text;
      bool integer = true;
      if (At('"')) {
        ok = String(&text, &escaped) && !escaped;
      } else {
        ok = p_ < end_ && (*p_ == '-' || IsDigit(*p_)) && Number(&text, &integer) && integer;
      }
      ok = ok && IntegerText(text, &f->timestamp_ms);
      f->timestamp_ms = NormalizeTimestampMillis(f->timestamp_ms);
      f->has_timestamp = true;
    } else if (key == "marketing_campaign_id") {
      ok = Text(&f->marketing_campaign_id);
    } else if (key == "singlesend_id") {
      ok = Text(&f->singlesend_id);
    } else if (key == "category") {
      ok = Category(&f->category);
    } else {
      ok = Value(1);
    }
    if (!ok || !Next('}', &done)) return false;
  }
  SkipSpace();
  return p_ == end_;
}

}  // namespace

bool ScanEventFields(std::string_view payload, UnixMillis received_ms, EventFields* f) {
  *f = EventFields{};
  Scanner scanner(payload);
  if (!scanner.Event(f)) return false;
  // The scan accepted bytes >= 0x80 inside strings; the full parser rejects
  // the whole payload when it is not UTF-8.
  if (!simdjson::validate_utf8(payload.data(), payload.size())) return false;
  return !ValidateEvent(*f, received_ms).has_value();
}

}  // namespace mailpulse
