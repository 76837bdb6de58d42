// JSON (and time) rendering of KPIs, shared by the HTTP API and
// `mailpulse report --format json`, so both print the same document.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "analytics/kpi_store.h"
#include "common/status.h"
#include "common/types.h"

namespace mailpulse {

// Time filter values: epoch seconds ("1700000000"), or ISO-8601 UTC dates and
// times: "2026-01-02", "2026-01-02T03:04", "2026-01-02T03:04:05",
// optionally ".fff", and "Z" or "+HH:MM"/"-HH:MM" (no suffix = UTC).
Result<UnixMillis> ParseTimeParam(std::string_view text);
// "2026-01-02T03:04:05Z" (milliseconds dropped).
std::string FormatIsoTime(UnixMillis ms);

struct KpiRange {
  UnixMillis since = 0;  // 0 = unbounded
  UnixMillis until = 0;
  bool bounded() const { return since > 0 || until > 0; }
};

// {"id":..,"name":..|null,"processed":N,...,"rates":{...}} plus, for
// unbounded ranges, "dropped_by_reason":{...} (kept all-time only).
void AppendCampaignJson(std::string& out, const CampaignState& c, const KpiRange& range);
// One page of the campaign list, in id order: the campaigns with an id
// greater than `after` (when set), skipping `offset` of them, at most `limit`.
// Paging keeps a request's work (and its time under the store's shared lock)
// proportional to the page, not to the number of campaigns.
struct CampaignPage {
  static constexpr size_t kDefaultLimit = 100;
  static constexpr size_t kMaxLimit = 1000;
  std::optional<std::string> after;
  size_t offset = 0;
  size_t limit = kDefaultLimit;  // 0 = no limit (report)
};

// {"campaigns":[...]} sorted by id, plus "next":"<last id of the page>" when
// more campaigns follow it (pass it back as `after`).
std::string CampaignListJson(const KpiStore& store, const KpiRange& range,
                             const CampaignPage& page = CampaignPage{});
// The campaign object with "granularity" and "series":[{"start":"ISO","start_ms":N,counters...}].
std::string CampaignDetailJson(const CampaignState& c, Granularity g, const KpiRange& range);
// {"id":..,"links":[{"url":..,"clicks":N,"unique_clicks":N}]}: by clicks, then
// unique clicks (descending), then URL; at most `limit`.
std::string CampaignLinksJson(const CampaignState& c, size_t limit);

}  // namespace mailpulse
