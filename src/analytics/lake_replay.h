// ReplayLake: every event the lake holds, for `mailpulse rebuild --from-lake`
// (recomputing the KPIs when the stream's retention no longer covers
// everything).
//
// Reads every object of the events stream in the lake, whatever prefix it
// was written under: keys whose last segment is a delivery object name
// (`mailpulse-events-<shard>-<first>-<last><extension>`, see
// docs/formats/lake-object.md), decoded by the encoding its extension names,
// line by line through the KpiEventDecoder (which reads lake lines). Error
// lines and undecodable lines are counted and skipped, as the stream
// consumer skips records it cannot decode.
//
// Exactly once: object names derive from stream positions only, so a batch
// delivered again after a crash overwrites the same key; an object whose name
// was already read under another prefix (a replay after `lake_prefix`
// changed, or with `!{firehose:random-string}`) holds the same records and
// is skipped (`duplicate_objects`). `positions` reports, per shard, the last
// sequence number in the lake: every record up to it was delivered (delivery
// commits whole batches in order), so the stream consumer can resume after
// it and count each record once.
//
// Synchronous; `apply` is called on the caller's thread, in key order.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analytics/kpi_event.h"
#include "common/status.h"
#include "common/types.h"
#include "storage/object_store.h"

namespace mailpulse {

struct LakeReplayStats {
  StreamPositions positions;       // per shard in the lake: its last sequence number there
  uint64_t objects = 0;            // objects read
  uint64_t duplicate_objects = 0;  // skipped: the same name under another prefix
  uint64_t lines = 0;              // events applied
  uint64_t skipped = 0;            // error or undecodable lines
};

// kInvalid when an object names a shard id >= shard_limit, which the stream
// never had (another stream's lake): the embedded log's ids are 0..count-1,
// Kinesis' new shards always get higher ids than the old ones;
// kCorruption when an object cannot be decoded; the lake's errors otherwise.
Result<LakeReplayStats> ReplayLake(ObjectStore& lake, uint32_t shard_limit,
                                   KpiEventDecoder& decoder,
                                   const std::function<void(const KpiEvent&)>& apply);

}  // namespace mailpulse
