#include "common/metrics.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry m;
  m.GetCounter("mp_requests_total", "Requests", "route=\"/a\",status=\"200\"").Inc(3);
  m.GetCounter("mp_requests_total", "Requests", "route=\"/a\",status=\"200\"").Inc();
  m.GetGauge("mp_open", "Open things").Set(7);
  Histogram& h = m.GetHistogram("mp_latency_seconds", "Latency", "", {0.1, 1.0});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE mp_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("mp_requests_total{route=\"/a\",status=\"200\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("mp_open 7\n"), std::string::npos);
  EXPECT_NE(text.find("mp_latency_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("mp_latency_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("mp_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("mp_latency_seconds_sum 5.55\n"), std::string::npos);
  EXPECT_NE(text.find("mp_latency_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsTest, ApproxQuantileIsTheBucketBound) {
  Histogram h({1, 2, 4});
  for (int i = 0; i < 99; ++i) h.Observe(0.5);
  h.Observe(3);
  EXPECT_EQ(h.ApproxQuantile(0.5), 1);
  EXPECT_EQ(h.ApproxQuantile(1.0), 4);
}

TEST(MetricsTest, RefreshersRunAtRender) {
  MetricsRegistry m;
  Gauge& g = m.GetGauge("mp_size", "Size");
  int calls = 0;
  m.AddRefresher([&] { g.Set(++calls * 10); });
  EXPECT_NE(m.RenderPrometheus().find("mp_size 10\n"), std::string::npos);
  EXPECT_NE(m.RenderPrometheus().find("mp_size 20\n"), std::string::npos);
}

}  // namespace
}  // namespace mailpulse
