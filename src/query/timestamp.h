// Timestamp: S3 Select's TIMESTAMP type (an Ion timestamp): a calendar
// instant that remembers its precision and its UTC offset, so
// DATE_ADD(month, 1, `2010T`) prints `2010-02T` and EXTRACT(TIMEZONE_HOUR ...)
// sees the offset the text gave. Text forms (W3C datetime, docs/query.md):
//
//   2010T  2010-02T  2010-02-03  2010-02-03T
//   2010-02-03T04:05[:06[.789]][Z|+hh:mm|-hh:mm]
//
// Below day precision an absent offset is "unknown" (Ion's -00:00) and is
// treated as UTC for arithmetic. Fields are local (in the offset); comparisons
// use the UTC instant. Values are plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailpulse::query {

enum class TsPrecision { kYear, kMonth, kDay, kMinute, kSecond, kFraction };

struct Timestamp {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int nanos = 0;
  int frac_digits = 0;  // digits printed after the point (kFraction), 1..9
  TsPrecision precision = TsPrecision::kYear;
  int offset_minutes = 0;
  bool offset_known = false;

  // Seconds since 1970-01-01T00:00Z of this instant (nanos not included).
  int64_t EpochSeconds() const;
  // -1, 0, 1 by UTC instant.
  int CompareInstant(const Timestamp& other) const;
};

// Parses the text forms above; kInvalid naming the text otherwise.
Result<Timestamp> ParseTimestamp(std::string_view text);
// Ion text of `ts` at its own precision (`2010T`, `2017-01-02T04:04Z`).
std::string FormatTimestamp(const Timestamp& ts);
// The instant `seconds`.`nanos` after the epoch, seen in `offset_minutes`.
Timestamp TimestampFromEpoch(int64_t seconds, int nanos, int offset_minutes, bool offset_known,
                             TsPrecision precision, int frac_digits);
// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t y, int m, int d);
void CivilFromDays(int64_t days, int* y, int* m, int* d);
int DaysInMonth(int year, int month);

// Java DateTimeFormatter-style pattern (the subset S3 Select documents:
// y M d H h m s S a X x n and quoted text); kInvalid for other letters.
Result<std::string> FormatTimestampPattern(const Timestamp& ts, std::string_view pattern);

}  // namespace mailpulse::query
