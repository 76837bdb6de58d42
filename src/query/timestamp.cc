#include "query/timestamp.h"

#include <fmt/format.h>

#include <cctype>

namespace mailpulse::query {
namespace {

// Reads exactly `n` digits at `*pos`; false if fewer.
bool ReadDigits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Peek(std::string_view s, size_t pos, char c) { return pos < s.size() && s[pos] == c; }

const char* const kMonthNames[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

}  // namespace

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Civil-calendar day counting by eras of 400 years (146097 days), with the
// year starting in March so that the leap day is the last day of the year.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (m + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t days, int* y, int* m, int* d) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2 ? 1 : 0));
}

int64_t Timestamp::EpochSeconds() const {
  int64_t local = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return local - static_cast<int64_t>(offset_minutes) * 60;
}

int Timestamp::CompareInstant(const Timestamp& other) const {
  int64_t a = EpochSeconds(), b = other.EpochSeconds();
  if (a != b) return a < b ? -1 : 1;
  if (nanos != other.nanos) return nanos < other.nanos ? -1 : 1;
  return 0;
}

Timestamp TimestampFromEpoch(int64_t seconds, int nanos, int offset_minutes, bool offset_known,
                             TsPrecision precision, int frac_digits) {
  Timestamp ts;
  int64_t local = seconds + static_cast<int64_t>(offset_minutes) * 60;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t rem = local - days * 86400;
  CivilFromDays(days, &ts.year, &ts.month, &ts.day);
  ts.hour = static_cast<int>(rem / 3600);
  ts.minute = static_cast<int>(rem % 3600 / 60);
  ts.second = static_cast<int>(rem % 60);
  ts.nanos = nanos;
  ts.precision = precision;
  ts.frac_digits = frac_digits;
  ts.offset_minutes = offset_minutes;
  ts.offset_known = offset_known;
  return ts;
}

Result<Timestamp> ParseTimestamp(std::string_view s) {
  auto bad = [&] { return Status::Invalid("invalid timestamp '" + std::string(s) + "'"); };
  Timestamp ts;
  size_t pos = 0;
  if (!ReadDigits(s, &pos, 4, &ts.year)) return bad();
  if (Peek(s, pos, 'T') && pos + 1 == s.size()) return ts;  // 2010T
  if (!Peek(s, pos++, '-') || !ReadDigits(s, &pos, 2, &ts.month)) return bad();
  if (ts.month < 1 || ts.month > 12) return bad();
  ts.precision = TsPrecision::kMonth;
  if (Peek(s, pos, 'T') && pos + 1 == s.size()) return ts;  // 2010-02T
  if (!Peek(s, pos++, '-') || !ReadDigits(s, &pos, 2, &ts.day)) return bad();
  if (ts.day < 1 || ts.day > DaysInMonth(ts.year, ts.month)) return bad();
  ts.precision = TsPrecision::kDay;
  if (pos == s.size() || (Peek(s, pos, 'T') && pos + 1 == s.size())) return ts;
  if (!Peek(s, pos++, 'T')) return bad();
  if (!ReadDigits(s, &pos, 2, &ts.hour) || !Peek(s, pos++, ':') ||
      !ReadDigits(s, &pos, 2, &ts.minute)) {
    return bad();
  }
  if (ts.hour > 23 || ts.minute > 59) return bad();
  ts.precision = TsPrecision::kMinute;
  if (Peek(s, pos, ':')) {
    ++pos;
    if (!ReadDigits(s, &pos, 2, &ts.second) || ts.second > 59) return bad();
    ts.precision = TsPrecision::kSecond;
    if (Peek(s, pos, '.')) {
      ++pos;
      int digits = 0;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (digits < 9) ts.nanos = ts.nanos * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return bad();
      for (int i = digits; i < 9; ++i) ts.nanos *= 10;
      ts.frac_digits = digits > 9 ? 9 : digits;
      ts.precision = TsPrecision::kFraction;
    }
  }
  if (pos == s.size()) return ts;  // unknown offset
  if (s[pos] == 'Z' && pos + 1 == s.size()) {
    ts.offset_known = true;
    return ts;
  }
  if (s[pos] != '+' && s[pos] != '-') return bad();
  int sign = s[pos++] == '-' ? -1 : 1;
  int oh = 0, om = 0;
  if (!ReadDigits(s, &pos, 2, &oh) || !Peek(s, pos++, ':') || !ReadDigits(s, &pos, 2, &om) ||
      pos != s.size() || oh > 23 || om > 59) {
    return bad();
  }
  ts.offset_minutes = sign * (oh * 60 + om);
  ts.offset_known = !(sign < 0 && oh == 0 && om == 0);  // -00:00 is Ion's "unknown"
  return ts;
}

namespace {

std::string FormatOffset(const Timestamp& ts, bool colon, bool z_for_zero) {
  if (!ts.offset_known) return colon ? "-00:00" : "-0000";
  if (ts.offset_minutes == 0 && z_for_zero) return "Z";
  int m = ts.offset_minutes < 0 ? -ts.offset_minutes : ts.offset_minutes;
  return fmt::format("{}{:02}{}{:02}", ts.offset_minutes < 0 ? '-' : '+', m / 60, colon ? ":" : "",
                     m % 60);
}

}  // namespace

std::string FormatTimestamp(const Timestamp& ts) {
  switch (ts.precision) {
    case TsPrecision::kYear:
      return fmt::format("{:04}T", ts.year);
    case TsPrecision::kMonth:
      return fmt::format("{:04}-{:02}T", ts.year, ts.month);
    case TsPrecision::kDay:
      return fmt::format("{:04}-{:02}-{:02}", ts.year, ts.month, ts.day);
    default:
      break;
  }
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", ts.year, ts.month, ts.day, ts.hour, ts.minute);
  if (ts.precision >= TsPrecision::kSecond) out += fmt::format(":{:02}", ts.second);
  if (ts.precision == TsPrecision::kFraction) {
    std::string frac = fmt::format("{:09}", ts.nanos);
    out += "." + frac.substr(0, static_cast<size_t>(ts.frac_digits));
  }
  return out + FormatOffset(ts, true, true);
}

Result<std::string> FormatTimestampPattern(const Timestamp& ts, std::string_view p) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {
        out += '\'';
        i += 2;
        continue;
      }
      // Quoted text; inside it '' is one quote ('o''clock' -> o'clock).
      size_t k = i + 1;
      while (true) {
        if (k >= p.size()) return Status::Invalid("unterminated quote in time format");
        if (p[k] == '\'') {
          if (k + 1 < p.size() && p[k + 1] == '\'') {
            out += '\'';
            k += 2;
            continue;
          }
          break;
        }
        out += p[k++];
      }
      i = k + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      out += c;
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < p.size() && p[i + n] == c) ++n;
    i += n;
    int w = static_cast<int>(n);
    switch (c) {
      case 'y':
      case 'u':
        out += n == 2 ? fmt::format("{:02}", ts.year % 100) : fmt::format("{:0{}}", ts.year, w);
        break;
      case 'M':
        if (n >= 4) {
          out += kMonthNames[ts.month - 1];
        } else if (n == 3) {
          out += std::string_view(kMonthNames[ts.month - 1]).substr(0, 3);
        } else {
          out += fmt::format("{:0{}}", ts.month, w);
        }
        break;
      case 'd':
        out += fmt::format("{:0{}}", ts.day, w);
        break;
      case 'H':
        out += fmt::format("{:0{}}", ts.hour, w);
        break;
      case 'h':
        out += fmt::format("{:0{}}", ts.hour % 12 == 0 ? 12 : ts.hour % 12, w);
        break;
      case 'm':
        out += fmt::format("{:0{}}", ts.minute, w);
        break;
      case 's':
        out += fmt::format("{:0{}}", ts.second, w);
        break;
      case 'S':
        out += fmt::format("{:09}", ts.nanos).substr(0, n > 9 ? 9 : n);
        break;
      case 'n':
        out += fmt::format("{}", ts.nanos);
        break;
      case 'a':
        out += ts.hour < 12 ? "AM" : "PM";
        break;
      case 'X':
      case 'x': {
        bool z = c == 'X';
        if (n == 1) {  // +HH[mm], or Z
          if (z && ts.offset_known && ts.offset_minutes == 0) {
            out += 'Z';
          } else {
            std::string o = FormatOffset(ts, false, false);
            out += ts.offset_minutes % 60 == 0 ? o.substr(0, 3) : o;
          }
        } else {
          bool colon = n == 3 || n == 5;
          out += FormatOffset(ts, colon, z);
        }
        break;
      }
      default:
        return Status::Invalid(fmt::format("unsupported time format letter '{}'", c));
    }
  }
  return out;
}

}  // namespace mailpulse::query
