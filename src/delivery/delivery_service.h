// DeliveryService: Firehose's role — one consumer thread per shard of a
// stream (shards appear and close with a Kinesis reshard: a supervisor thread
// starts a shard once its parents are delivered to their end), each a ShardDeliverer writing
// partitioned, compressed objects to the lake exactly once (docs/exactly-once.md,
// docs/formats/lake-object.md).
//
// ServerApp builds two: one for the events stream, one for the error-output
// stream (every record under the error prefix, `processing-failed`).
//
// Lifetime: Create validates the templates and encoding (kInvalid names the
// problem) and touches nothing; Start launches the threads (recovery of an
// interrupted batch runs on them, so a lake outage never blocks start-up);
// Stop makes one last attempt to write what is buffered, then joins.
// Stream and store must outlive the service. Start/Stop from one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"
#include "delivery/batch_builder.h"
#include "delivery/delivery_probe.h"
#include "delivery/shard_deliverer.h"

namespace mailpulse {

struct DeliveryOptions {
  std::string source = "events";
  bool error_source = false;
  std::string prefix = kDefaultLakePrefix;
  std::string error_prefix = kDefaultLakeErrorPrefix;
  std::string encoding = "jsonl.gz";
  int compression_level = 0;
  uint64_t buffer_bytes = 8u << 20;   // 1 MiB .. 128 MiB
  int64_t interval_seconds = 60;      // 0 .. 900
  int64_t idle_poll_ms = 200;         // wait when caught up
  int put_concurrency = 16;           // object puts in flight per service (1 = sequential)
  std::string consumer = "delivery";  // checkpoint name on the stream
  // How often to look for new shards (a Kinesis reshard); a shard delivered
  // to its end triggers a look at once.
  int64_t shard_refresh_ms = 10'000;
  Clock* clock = &Clock::System();
  MetricsRegistry* metrics = nullptr;

  static constexpr const char* kDefaultLakePrefix =
      "events/event_type=!{partitionKeyFromQuery:event_type}/"
      "campaign=!{partitionKeyFromQuery:campaign}/"
      "dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/";
  static constexpr const char* kDefaultLakeErrorPrefix =
      "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/";
};

class DeliveryService {
 public:
  static Result<std::unique_ptr<DeliveryService>> Create(const DeliveryOptions& options,
                                                         Stream* stream, ObjectStore* store);
  ~DeliveryService();

  void Start();
  void Stop();

 private:
  DeliveryService(const DeliveryOptions& options, Stream* stream, ObjectStore* store);
  // Delivers one shard until stopping (false) or until the shard is closed
  // and delivered to its end (true).
  bool Run(ShardId shard);
  // Starts a thread for every shard that is ready (stream/shard_lineage.h)
  // and not running yet.
  void StartReadyShards();
  void SleepUnlessStopping(int64_t ms);
  void RefreshLag();

  DeliveryOptions opt_;
  Stream* stream_;
  ObjectStore* store_;
  BatchOptions batch_;
  std::unique_ptr<MetricsRegistry> own_metrics_;
  std::unique_ptr<DeliveryProbe> probe_;
  std::unique_ptr<TaskPool> put_pool_;  // the shards' concurrent object puts
  std::thread supervisor_;              // follows resharding
  std::vector<std::thread> threads_;    // one per shard started, guarded by mu_
  std::set<ShardId> running_;           // guarded by mu_
  std::set<ShardId> finished_;          // closed and delivered to the end; guarded by mu_
  bool shard_finished_ = false;         // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::atomic<bool> started_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace mailpulse
