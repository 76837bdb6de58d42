// PartitionPruner: decides from an object's key alone whether it can hold a
// record the query wants, so the scan skips the rest (docs/query.md,
// "Partition pruning"). Keys carry Hive-style `name=value` folders
// (docs/formats/lake-object.md):
//
//   events/event_type=open/campaign=1234/dt=2026-12-03/hour=19/mailpulse-....json.gz
//
// Two sources of constraints:
//  - top-level AND conjuncts of WHERE of the form `field = 'text'` or
//    `field IN ('a', 'b')` on a field that delivery turns into a partition
//    (kPartitionFields: event -> event_type, lower-cased;
//    marketing_campaign_id -> campaign), only for FROM S3Object (no path);
//  - a time window [since, until) in ms, against the dt= / hour= folders
//    (a folder's hour overlaps the window, or its day when there is no hour).
// A key without the folder a constraint needs is always kept: pruning only
// ever removes objects that cannot match. Immutable after setup; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/ast.h"

namespace mailpulse::query {

// The `name=value` folders of a key, in order.
std::vector<std::pair<std::string_view, std::string_view>> KeyPartitions(std::string_view key);

class PartitionPruner {
 public:
  // No constraints: keeps everything.
  PartitionPruner() = default;
  static PartitionPruner FromQuery(const SelectStatement& st);

  void SetTimeRange(std::optional<int64_t> since_ms, std::optional<int64_t> until_ms) {
    since_ms_ = since_ms;
    until_ms_ = until_ms;
  }

  bool MayMatch(std::string_view key) const;
  // "event_type in {open}; time [a, b)", for logs; "" when unconstrained.
  std::string Describe() const;

 private:
  struct Constraint {
    std::string partition;            // folder name, e.g. event_type
    std::vector<std::string> values;  // allowed folder values (encoded)
  };
  void Add(std::string partition, std::vector<std::string> values);

  std::vector<Constraint> constraints_;
  std::optional<int64_t> since_ms_, until_ms_;
};

}  // namespace mailpulse::query
