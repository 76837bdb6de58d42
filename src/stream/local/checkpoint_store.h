// CheckpointStore: durable per-consumer, per-shard positions of the embedded
// stream (docs/formats/stream-log.md, "Checkpoints").
//
// Save is crash-atomic (temp file, fsync, rename, fsync dir) and durable when
// it returns. Thread-safe: saves are serialized by one mutex (they are rare:
// once per delivered object or KPI flush).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"
#include "common/types.h"

namespace mailpulse {

class CheckpointStore {
 public:
  // dir: <stream dir>/checkpoints. fs must outlive the store.
  CheckpointStore(FileSystem* fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  Status Save(std::string_view consumer, ShardId shard, SequenceNumber seq);
  // NotFound when never saved; Corruption when the file is damaged.
  Result<SequenceNumber> Load(std::string_view consumer, ShardId shard);

  // 1..128 of [A-Za-z0-9._-], not starting with '.'.
  static Status ValidateConsumer(std::string_view consumer);

 private:
  std::string PathFor(std::string_view consumer, ShardId shard) const;

  FileSystem* fs_;
  std::string dir_;
  std::mutex mu_;
};

// "shard-0003"
std::string ShardDirName(ShardId shard);

}  // namespace mailpulse
