#include "analytics/kpi_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "common/json_escape.h"

namespace mailpulse {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<UnixMillis> ParseTimeParam(std::string_view t) {
  auto bad = [&] {
    return Status::Invalid("time '" + std::string(t) +
                           "' is neither epoch seconds nor ISO-8601 (2026-01-02T03:04:05Z)");
  };
  if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t secs = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), secs);
    if (ec != std::errc() || secs > 100'000'000'000LL) return bad();
    return secs * 1000;
  }
  int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
  if (!Digits(t, 0, 4, &y) || t.size() < 10 || t[4] != '-' || !Digits(t, 5, 2, &mo) ||
      t[7] != '-' || !Digits(t, 8, 2, &d)) {
    return bad();
  }
  size_t pos = 10;
  if (pos < t.size() && (t[pos] == 'T' || t[pos] == ' ')) {
    if (!Digits(t, pos + 1, 2, &h) || pos + 3 >= t.size() || t[pos + 3] != ':' ||
        !Digits(t, pos + 4, 2, &mi)) {
      return bad();
    }
    pos += 6;
    if (pos < t.size() && t[pos] == ':') {
      if (!Digits(t, pos + 1, 2, &s)) return bad();
      pos += 3;
      if (pos < t.size() && t[pos] == '.') {
        size_t start = ++pos;
        int frac = 0, digits = 0;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
          if (digits < 3) frac = frac * 10 + (t[pos] - '0'), ++digits;
          ++pos;
        }
        if (pos == start) return bad();
        while (digits < 3) frac *= 10, ++digits;
        ms = frac;
      }
    }
  }
  int64_t offset_min = 0;
  if (pos < t.size()) {
    if (t[pos] == 'Z' && pos + 1 == t.size()) {
      ++pos;
    } else if ((t[pos] == '+' || t[pos] == '-') && pos + 6 == t.size() && t[pos + 3] == ':') {
      int oh, om;
      if (!Digits(t, pos + 1, 2, &oh) || !Digits(t, pos + 4, 2, &om)) return bad();
      offset_min = (t[pos] == '+' ? 1 : -1) * (oh * 60 + om);
      pos += 6;
    } else {
      return bad();
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad();
  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return bad();
  int64_t days = sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + s * 1000LL + ms;
}

std::string FormatIsoTime(UnixMillis ms) {
  using namespace std::chrono;
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  year_month_day ymd{sys_days(std::chrono::days(days))};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     rem / 3600, (rem / 60) % 60, rem % 60);
}

void AppendCampaignJson(std::string& out, const CampaignState& c, const KpiRange& range) {
  KpiCounters sum = KpiStore::Sum(c, range.since, range.until);
  out += "{\"id\":";
  AppendJsonString(out, c.id);
  out += ",\"name\":";
  if (c.name.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, c.name);
  }
  out += ',';
  AppendCountersJson(out, sum);
  if (!range.bounded()) {
    out += ",\"dropped_by_reason\":{";
    bool first = true;
    for (const auto& [reason, n] : c.dropped_by_reason) {
      if (!first) out += ',';
      first = false;
      AppendJsonString(out, reason);
      fmt::format_to(std::back_inserter(out), ":{}", n);
    }
    out += '}';
  }
  out += ',';
  AppendRatesJson(out, ComputeRates(sum));
  out += '}';
}

std::string CampaignListJson(const KpiStore& store, const KpiRange& range,
                             const CampaignPage& page) {
  const auto& all = store.campaigns();
  auto it = page.after ? all.upper_bound(*page.after) : all.begin();
  for (size_t skip = page.offset; skip > 0 && it != all.end(); --skip) ++it;
  std::string out = "{\"campaigns\":[";
  const CampaignState* last = nullptr;
  for (size_t n = 0; it != all.end() && (page.limit == 0 || n < page.limit); ++it, ++n) {
    if (last != nullptr) out += ',';
    last = it->second.get();
    AppendCampaignJson(out, *last, range);
  }
  out += ']';
  if (it != all.end() && last != nullptr) {
    out += ",\"next\":";
    AppendJsonString(out, last->id);
  }
  out += '}';
  return out;
}

std::string CampaignDetailJson(const CampaignState& c, Granularity g, const KpiRange& range) {
  std::string out;
  AppendCampaignJson(out, c, range);
  out.pop_back();  // reopen the object
  out += ",\"granularity\":\"";
  out += GranularityName(g);
  out += "\",\"series\":[";
  bool first = true;
  for (const auto& [start, counters] : KpiStore::Series(c, g, range.since, range.until)) {
    if (!first) out += ',';
    first = false;
    fmt::format_to(std::back_inserter(out), "{{\"start\":\"{}\",\"start_ms\":{},",
                   FormatIsoTime(start), start);
    AppendCountersJson(out, counters);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string CampaignLinksJson(const CampaignState& c, size_t limit) {
  std::vector<const LinkStat*> links;
  for (const LinkStat& l : c.links) links.push_back(&l);
  std::sort(links.begin(), links.end(), [](const LinkStat* a, const LinkStat* b) {
    if (a->clicks != b->clicks) return a->clicks > b->clicks;
    if (a->unique_clicks != b->unique_clicks) return a->unique_clicks > b->unique_clicks;
    return a->url < b->url;
  });
  if (links.size() > limit) links.resize(limit);
  std::string out = "{\"id\":";
  AppendJsonString(out, c.id);
  out += ",\"links\":[";
  for (size_t i = 0; i < links.size(); ++i) {
    if (i) out += ',';
    out += "{\"url\":";
    AppendJsonString(out, links[i]->url);
    fmt::format_to(std::back_inserter(out), ",\"clicks\":{},\"unique_clicks\":{}}}",
                   links[i]->clicks, links[i]->unique_clicks);
  }
  out += "]}";
  return out;
}

}  // namespace mailpulse
