#include "stream/shard_lineage.h"

#include <algorithm>

namespace mailpulse {

std::vector<ShardId> ReadyShards(const std::vector<ShardInfo>& shards,
                                 const std::set<ShardId>& finished) {
  std::set<ShardId> listed;
  for (const ShardInfo& s : shards) listed.insert(s.id);
  std::vector<ShardId> ready;
  for (const ShardInfo& s : shards) {
    if (finished.count(s.id)) continue;
    bool parents_done = std::all_of(s.parents.begin(), s.parents.end(), [&](ShardId p) {
      return finished.count(p) != 0 || listed.count(p) == 0;
    });
    if (parents_done) ready.push_back(s.id);
  }
  std::sort(ready.begin(), ready.end());
  return ready;
}

}  // namespace mailpulse
