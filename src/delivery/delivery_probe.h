// DeliveryProbe: delivery's metrics, in one place (redpanda's probe idea).
// Families (labels source="events"|"errors", shard="N"):
//   mailpulse_delivery_lag_records          records in the stream past the checkpoint
//   mailpulse_delivery_lag_seconds          age of the oldest record not yet in the lake
//   mailpulse_delivery_objects_total        objects stored (retries and replays not double counted)
//   mailpulse_delivery_bytes_total          object bytes stored (after compression)
//   mailpulse_delivery_records_total        records delivered (lines), and
//   mailpulse_delivery_error_records_total  of those, lines under the error prefix
//   mailpulse_delivery_failures_total       failed store/checkpoint calls
//   mailpulse_delivery_retries_total        retries after a failure
//   mailpulse_delivery_flush_seconds        time to write one batch
//   mailpulse_delivery_latency_seconds      event-to-object: oldest record's arrival -> batch
//   durable
// Thread-safety: all members are atomics; safe from any thread.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "common/types.h"

namespace mailpulse {

class DeliveryProbe {
 public:
  DeliveryProbe(MetricsRegistry& metrics, const std::string& source, uint32_t shards);

  struct ShardGauges {
    Gauge* lag_records;
    Gauge* lag_seconds;
    std::atomic<int64_t> oldest_pending_arrival_ms{0};  // 0 = nothing pending
    std::atomic<uint64_t> checkpoint{0};
  };
  ShardGauges& shard(uint32_t s) { return *shards_[s]; }

  Counter& objects;
  Counter& bytes;
  Counter& records;
  Counter& error_records;
  Counter& failures;
  Counter& retries;
  Histogram& flush_seconds;
  Histogram& latency_seconds;

 private:
  std::vector<std::unique_ptr<ShardGauges>> shards_;
};

}  // namespace mailpulse
