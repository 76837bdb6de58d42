// Metrics: counters, gauges and histograms rendered as Prometheus text.
//
// Registration takes a lock and returns a reference that stays valid for the
// registry's lifetime; hot paths look a metric up once and keep the
// reference, so updates are single relaxed atomic operations.
// Label sets are passed pre-rendered: R"(route="/v1/x",status="200")".
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mailpulse {

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Fixed-bucket histogram; values in the unit of the bounds (seconds for latencies).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Upper bound of the bucket holding quantile q (0..1) — coarse, for logs and tests.
  double ApproxQuantile(double q) const;
  void Render(const std::string& name, const std::string& labels, std::string& out) const;

  // 50us .. 10s, roughly x2 steps: suits append, fsync and request latencies.
  static std::vector<double> LatencyBuckets();

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (+Inf)
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nanos_{0};  // sum scaled by 1e9 to stay atomic
};

class MetricsRegistry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  Gauge& GetGauge(const std::string& name, const std::string& help, const std::string& labels = "");
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const std::string& labels = "",
                          std::vector<double> bounds = Histogram::LatencyBuckets());
  // A callback run at render time to refresh computed gauges (sizes, memory).
  void AddRefresher(std::function<void()> fn);

  std::string RenderPrometheus() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, const char* type);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void()>> refreshers_;
};

}  // namespace mailpulse
