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
  o.snapshot_interval_ms = c.GetInt("analytics_snapshot_interval") * 1000;
  o.metrics = metrics;
  return o;
}

}  // namespace mailpulse
