// KpiCounters: the campaign counters of issue #4, by exactly those names, and
// the rates derived from them (SendGrid Stats semantics, see docs/analytics.md).
//
// A plain value type: one per campaign per time bucket, summed for ranges.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailpulse {

// Order is the JSON order and the snapshot order; append only.
enum class Kpi : uint8_t {
  kProcessed,
  kDelivered,
  kDeferred,
  kBounces,
  kBlocks,
  kDropped,
  kOpens,
  kUniqueOpens,
  kMachineOpens,
  kHumanUniqueOpens,
  kClicks,
  kUniqueClicks,
  kUnsubscribes,
  kGroupUnsubscribes,
  kGroupResubscribes,
  kSpamReports,
  // Optional figures beside SendGrid's (docs/analytics.md, "Bot clicks").
  kBotClicks,
  kHumanUniqueClicks,
  kCount,
};
inline constexpr size_t kKpiCount = static_cast<size_t>(Kpi::kCount);

// "processed", "delivered", ... (the API's and the truth file's names).
std::string_view KpiName(Kpi k);

struct KpiCounters {
  std::array<int64_t, kKpiCount> v{};

  int64_t& operator[](Kpi k) { return v[static_cast<size_t>(k)]; }
  int64_t operator[](Kpi k) const { return v[static_cast<size_t>(k)]; }
  KpiCounters& operator+=(const KpiCounters& o) {
    for (size_t i = 0; i < kKpiCount; ++i) v[i] += o.v[i];
    return *this;
  }
  bool operator==(const KpiCounters&) const = default;
  bool empty() const {
    for (int64_t x : v) {
      if (x != 0) return false;
    }
    return true;
  }
};

// Rates as fractions (0..1, or above 1 where SendGrid's definition allows),
// 0 when the denominator is 0:
//   delivery_rate      = delivered / processed
//   open_rate          = unique_opens / delivered
//   human_open_rate    = human_unique_opens / delivered
//   click_rate         = unique_clicks / delivered
//   human_click_rate   = human_unique_clicks / delivered
//   click_to_open_rate = unique_clicks / unique_opens
//   bounce_rate        = bounces / processed
//   unsubscribe_rate   = unsubscribes / delivered
//   spam_rate          = spam_reports / delivered
struct KpiRates {
  double delivery_rate = 0, open_rate = 0, human_open_rate = 0, click_rate = 0,
         human_click_rate = 0, click_to_open_rate = 0, bounce_rate = 0, unsubscribe_rate = 0,
         spam_rate = 0;
};
KpiRates ComputeRates(const KpiCounters& c);

// Appends `"processed":N,...,"spam_reports":N` (no braces).
void AppendCountersJson(std::string& out, const KpiCounters& c);
// Appends `"rates":{"delivery_rate":x,...}`.
void AppendRatesJson(std::string& out, const KpiRates& r);

}  // namespace mailpulse
