// Builds AnalyticsOptions from the configuration: one place for `serve`,
// `report` and `rebuild`, so all three read the same snapshot the same way.
#pragma once

#include <string>

#include "analytics/analytics_service.h"
#include "common/config.h"
#include "common/metrics.h"

namespace mailpulse {

// DATA_DIR/analytics/kpi.snapshot
std::string AnalyticsSnapshotPath(const Config& c);
Result<AnalyticsOptions> AnalyticsOptionsFromConfig(const Config& c, MetricsRegistry* metrics);

}  // namespace mailpulse
