#include "app/analytics_setup.h"

#include <filesystem>

namespace mailpulse {

std::string AnalyticsSnapshotPath(const Config& c) {
  return (std::filesystem::path(c.GetString("data_dir")) / "analytics" / "kpi.snapshot").string();
}

Result<AnalyticsOptions> AnalyticsOptionsFromConfig(const Config& c, MetricsRegistry* metrics) {
  AnalyticsOptions o;
  MP_ASSIGN_OR_RETURN(o.campaign_key, ParseCampaignKey(c.GetList("campaign_key")));
  o.snapshot_path = AnalyticsSnapshotPath(c);
  o.spill_dir = (std::filesystem::path(c.GetString("data_dir")) / "analytics" / "spill").string();
  o.store.message_memory_bytes = static_cast<size_t>(c.GetInt("analytics_memory"));
  o.store.minute_retention_ms = c.GetInt("analytics_minute_retention") * 1000;
  o.store.bot.enabled = c.GetBool("analytics_bot_clicks");
  int64_t window = c.GetInt("analytics_bot_click_window");
  int64_t burst = c.GetInt("analytics_bot_burst_links");
  if (window < 0 || window > 86'400) {
    return Status::Invalid("analytics_bot_click_window must be 0..24h");
  }
  if (burst < 0 || burst > 255) return Status::Invalid("analytics_bot_burst_links must be 0..255");
  o.store.bot.delivered_window_s = static_cast<uint32_t>(window);
  o.store.bot.burst_links = static_cast<uint32_t>(burst);
  o.snapshot_interval_ms = c.GetInt("analytics_snapshot_interval") * 1000;
  o.metrics = metrics;
  return o;
}

}  // namespace mailpulse
