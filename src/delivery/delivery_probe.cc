#include "delivery/delivery_probe.h"

namespace mailpulse {
namespace {
std::string Label(const std::string& source) { return "source=\"" + source + "\""; }
}  // namespace

DeliveryProbe::DeliveryProbe(MetricsRegistry& m, const std::string& source)
    : objects(
          m.GetCounter("mailpulse_delivery_objects_total", "Lake objects stored", Label(source))),
      bytes(m.GetCounter("mailpulse_delivery_bytes_total", "Lake object bytes stored (compressed)",
                         Label(source))),
      records(m.GetCounter("mailpulse_delivery_records_total", "Records delivered to the lake",
                           Label(source))),
      error_records(m.GetCounter("mailpulse_delivery_error_records_total",
                                 "Records delivered under the error prefix", Label(source))),
      failures(m.GetCounter("mailpulse_delivery_failures_total",
                            "Failed object store or checkpoint calls", Label(source))),
      retries(m.GetCounter("mailpulse_delivery_retries_total",
                           "Retries after a failed delivery call", Label(source))),
      flush_seconds(m.GetHistogram("mailpulse_delivery_flush_seconds",
                                   "Time to store one batch's objects", Label(source))),
      latency_seconds(m.GetHistogram(
          "mailpulse_delivery_latency_seconds",
          "Per batch: from the arrival of its oldest record to the batch being durable in the lake",
          Label(source), {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 90, 120, 300, 600, 900})),
      metrics_(m),
      source_(source) {}

DeliveryProbe::ShardGauges& DeliveryProbe::shard(ShardId s) {
  std::lock_guard<std::mutex> l(mu_);
  std::unique_ptr<ShardGauges>& g = shards_[s];
  if (!g) {
    g = std::make_unique<ShardGauges>();
    std::string labels = Label(source_) + ",shard=\"" + std::to_string(s.value()) + "\"";
    g->lag_records = &metrics_.GetGauge("mailpulse_delivery_lag_records",
                                        "Stream records not yet in the lake", labels);
    g->lag_seconds = &metrics_.GetGauge("mailpulse_delivery_lag_seconds",
                                        "Age of the oldest record not yet in the lake", labels);
  }
  return *g;
}

}  // namespace mailpulse
