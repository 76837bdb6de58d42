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
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "common/types.h"

namespace mailpulse {

class DeliveryProbe {
 public:
  DeliveryProbe(MetricsRegistry& metrics, const std::string& source);

  struct ShardGauges {
    Gauge* lag_records;
    Gauge* lag_seconds;
    std::atomic<int64_t> oldest_pending_arrival_ms{0};  // 0 = nothing pending

    void set_checkpoint(SequenceNumber s) {
      std::lock_guard<std::mutex> l(mu);
      checkpoint = std::move(s);
    }
    SequenceNumber get_checkpoint() const {
      std::lock_guard<std::mutex> l(mu);
      return checkpoint;
    }

   private:
    mutable std::mutex mu;
    SequenceNumber checkpoint;
  };
  // The gauges of a shard, created on first use (shards come and go with a
  // Kinesis reshard).
  ShardGauges& shard(ShardId s);

  Counter& objects;
  Counter& bytes;
  Counter& records;
  Counter& error_records;
  Counter& failures;
  Counter& retries;
  Histogram& flush_seconds;
  Histogram& latency_seconds;

 private:
  MetricsRegistry& metrics_;
  std::string source_;
  std::mutex mu_;
  std::map<ShardId, std::unique_ptr<ShardGauges>> shards_;
};

}  // namespace mailpulse
