#include "analytics/kpi_counters.h"

#include <fmt/format.h>

namespace mailpulse {

std::string_view KpiName(Kpi k) {
  static constexpr std::string_view kNames[kKpiCount] = {
      "processed",
      "delivered",
      "deferred",
      "bounces",
      "blocks",
      "dropped",
      "opens",
      "unique_opens",
      "machine_opens",
      "human_unique_opens",
      "clicks",
      "unique_clicks",
      "unsubscribes",
      "group_unsubscribes",
      "group_resubscribes",
      "spam_reports",
      "bot_clicks",
      "human_unique_clicks",
  };
  return kNames[static_cast<size_t>(k)];
}

namespace {
double Ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}
}  // namespace

KpiRates ComputeRates(const KpiCounters& c) {
  KpiRates r;
  r.delivery_rate = Ratio(c[Kpi::kDelivered], c[Kpi::kProcessed]);
  r.open_rate = Ratio(c[Kpi::kUniqueOpens], c[Kpi::kDelivered]);
  r.human_open_rate = Ratio(c[Kpi::kHumanUniqueOpens], c[Kpi::kDelivered]);
  r.click_rate = Ratio(c[Kpi::kUniqueClicks], c[Kpi::kDelivered]);
  r.human_click_rate = Ratio(c[Kpi::kHumanUniqueClicks], c[Kpi::kDelivered]);
  r.click_to_open_rate = Ratio(c[Kpi::kUniqueClicks], c[Kpi::kUniqueOpens]);
  r.bounce_rate = Ratio(c[Kpi::kBounces], c[Kpi::kProcessed]);
  r.unsubscribe_rate = Ratio(c[Kpi::kUnsubscribes], c[Kpi::kDelivered]);
  r.spam_rate = Ratio(c[Kpi::kSpamReports], c[Kpi::kDelivered]);
  return r;
}

void AppendCountersJson(std::string& out, const KpiCounters& c) {
  for (size_t i = 0; i < kKpiCount; ++i) {
    if (i) out += ',';
    out += '"';
    out += KpiName(static_cast<Kpi>(i));
    out += "\":";
    fmt::format_to(std::back_inserter(out), "{}", c.v[i]);
  }
}

void AppendRatesJson(std::string& out, const KpiRates& r) {
  // Shortest round-trip form, so clients can recompute and compare exactly.
  fmt::format_to(
      std::back_inserter(out),
      "\"rates\":{{\"delivery_rate\":{},\"open_rate\":{},\"human_open_rate\":{},\"click_rate\":{},"
      "\"human_click_rate\":{},\"click_to_open_rate\":{},\"bounce_rate\":{},"
      "\"unsubscribe_rate\":{},\"spam_rate\":{}}}",
      r.delivery_rate, r.open_rate, r.human_open_rate, r.click_rate, r.human_click_rate,
      r.click_to_open_rate, r.bounce_rate, r.unsubscribe_rate, r.spam_rate);
}

}  // namespace mailpulse
