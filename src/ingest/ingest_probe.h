// IngestProbe: the ingest stage's metrics, registered once so the hot path
// only does relaxed atomic adds. Event types outside SendGrid's list are
// counted as type="other" to keep label cardinality bounded.
#pragma once

#include <array>
#include <string_view>

#include "common/metrics.h"

namespace mailpulse {

class IngestProbe {
 public:
  enum Outcome { kAccepted = 0, kDuplicate, kRejected, kOutcomes };
  static constexpr std::array<std::string_view, 13> kTypes = {"processed",
                                                              "dropped",
                                                              "delivered",
                                                              "deferred",
                                                              "bounce",
                                                              "open",
                                                              "click",
                                                              "spamreport",
                                                              "unsubscribe",
                                                              "group_unsubscribe",
                                                              "group_resubscribe",
                                                              "account_status_change",
                                                              "other"};

  explicit IngestProbe(MetricsRegistry& metrics);

  // Index into kTypes for an event type ("other" when unknown or empty).
  static size_t TypeIndex(std::string_view type);
  void CountEvents(Outcome outcome, size_t type_index, uint64_t n) {
    events_[outcome][type_index]->Inc(n);
  }
  Histogram& request_seconds() { return *request_seconds_; }
  Histogram& verify_seconds() { return *verify_seconds_; }
  Histogram& parse_seconds() { return *parse_seconds_; }
  Counter& failed_appends() { return *failed_appends_; }

 private:
  std::array<std::array<Counter*, kTypes.size()>, kOutcomes> events_{};
  Histogram* request_seconds_;
  Histogram* verify_seconds_;
  Histogram* parse_seconds_;
  Counter* failed_appends_;
};

}  // namespace mailpulse
