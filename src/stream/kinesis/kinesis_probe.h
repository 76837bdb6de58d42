// KinesisProbe: the Kinesis backend's metrics, one set per stream (label
// stream="NAME"). Registered once; hot paths do relaxed atomic adds. Failed
// records are counted by the service's ErrorCode; the label set is bounded
// by the few codes Kinesis documents (an unknown code is still one label).
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/metrics.h"

namespace mailpulse {

class KinesisProbe {
 public:
  // metrics may be null: the probe then keeps a private registry.
  KinesisProbe(MetricsRegistry* metrics, std::string stream);

  Counter& put_requests() { return *put_requests_; }
  Counter& put_request_errors() { return *put_request_errors_; }
  Counter& records_sent() { return *records_sent_; }
  Counter& records_acked() { return *records_acked_; }
  Counter& record_retries() { return *record_retries_; }
  Counter& appends_failed() { return *appends_failed_; }
  Counter& get_records_calls() { return *get_records_calls_; }
  Counter& get_records_records() { return *get_records_records_; }
  Counter& iterator_refreshes() { return *iterator_refreshes_; }
  Histogram& put_seconds() { return *put_seconds_; }
  // Failed PutRecords entries by ErrorCode.
  void CountFailedRecords(std::string_view error_code, uint64_t n);
  // MillisBehindLatest of a shard ("shardId-000000000003").
  Gauge& MillisBehindLatest(std::string_view shard_name);

 private:
  std::unique_ptr<MetricsRegistry> own_;
  MetricsRegistry* m_;
  std::string stream_label_;
  Counter* put_requests_;
  Counter* put_request_errors_;
  Counter* records_sent_;
  Counter* records_acked_;
  Counter* record_retries_;
  Counter* appends_failed_;
  Counter* get_records_calls_;
  Counter* get_records_records_;
  Counter* iterator_refreshes_;
  Histogram* put_seconds_;
  std::mutex mu_;
  std::map<std::string, Counter*, std::less<>> failed_;
};

}  // namespace mailpulse
