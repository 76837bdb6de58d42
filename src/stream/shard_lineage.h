// Shard lineage: which shards a consumer may read now.
//
// Kinesis splits and merges shards: the parent closes and its records stay
// readable until retention trims them; new records go to the children. To
// keep a message's events in order (its partition key moves from the parent
// to a child), a consumer reads a child only after every parent was read to
// its end, as KCL does. The consumer records that by checkpointing
// SequenceNumber::ShardEnd() on the parent. A parent that is no longer listed
// was trimmed away (nothing left to read), so it does not hold its children
// back. The embedded log's and Kafka's shards have no parents and never
// close, so every shard is ready at once.
#pragma once

#include <functional>
#include <set>
#include <vector>

#include "stream/stream.h"

namespace mailpulse {

// Shards of `shards` (a Describe() result) that are not finished and whose
// listed parents all are, in ShardId order.
std::vector<ShardId> ReadyShards(const std::vector<ShardInfo>& shards,
                                 const std::set<ShardId>& finished);

}  // namespace mailpulse
