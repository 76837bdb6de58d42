// BatchBuilder: groups one shard's records of one delivery batch into lake
// objects — one per partition (evaluated data prefix), plus one under the
// error prefix for records that cannot be delivered
// (docs/formats/lake-object.md).
//
// Determinism is the point: the objects (keys and bytes) are a pure function
// of the records added, in order. The key is
//   <prefix evaluated at the oldest record's arrival time>
//   mailpulse-<source>-<shard 4 digits>-<first seq 20 digits>-<last seq 20 digits><ext>
// with first/last the sequence numbers of the object's own records, so a
// replay of the same records after a crash overwrites the same keys with
// the same bytes instead of adding copies (unless the prefix uses
// !{firehose:random-string}).
//
// Memory: the uncompressed lines of the batch (raw_bytes()) plus compression
// output at Finish. Not thread-safe; one per shard thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "delivery/encoder.h"
#include "delivery/lake_line.h"
#include "delivery/prefix_template.h"
#include "stream/stream.h"

namespace mailpulse {

struct BatchOptions {
  std::string source = "events";  // names objects; "errors" for the error-output stream
  bool error_source = false;      // every record is a rejected element (error-output stream)
  PrefixTemplate prefix;
  PrefixTemplate error_prefix;
  const Encoding* encoding = nullptr;
  int compression_level = 0;  // 0 = the encoder's default
};

struct LakeObject {
  std::string key;
  std::string data;
  const char* content_type = "";
  uint64_t records = 0;
  uint64_t raw_bytes = 0;
  bool error = false;
};

class BatchBuilder {
 public:
  BatchBuilder(const BatchOptions* options, ShardId shard);

  void Add(const StreamRecord& r);
  bool empty() const { return records_ == 0; }
  uint64_t records() const { return records_; }
  uint64_t error_records() const { return error_records_; }
  uint64_t raw_bytes() const { return raw_bytes_; }
  SequenceNumber first_seq() const { return first_seq_; }
  SequenceNumber last_seq() const { return last_seq_; }
  UnixMillis oldest_arrival_ms() const { return oldest_arrival_ms_; }

  // The batch's objects, in key-group order; the builder is empty afterwards.
  Result<std::vector<LakeObject>> Finish();

 private:
  struct Group {
    std::unique_ptr<ObjectEncoder> encoder;
    bool error = false;
    SequenceNumber first, last;
    UnixMillis oldest_arrival_ms = 0;
    UnixMillis event_ms = 0;
    std::array<std::string, kPartitionKeyCount> keys;
  };

  const BatchOptions* opt_;
  ShardId shard_;
  LakeLineFormatter formatter_;
  FormattedRecord rec_;
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Hashed: a lookup per record; Finish sorts the keys for its order.
  std::unordered_map<std::string, Group, KeyHash, std::equal_to<>> groups_;
  std::string group_key_;  // Add's lookup key, reused
  uint64_t records_ = 0, error_records_ = 0, raw_bytes_ = 0;
  SequenceNumber first_seq_, last_seq_;
  UnixMillis oldest_arrival_ms_ = 0;
};

// "mailpulse-events-0003-00000000000000000001-00000000000000000042.json.gz"
std::string LakeObjectName(std::string_view source, ShardId shard, SequenceNumber first,
                           SequenceNumber last, std::string_view extension);

// The parts of a LakeObjectName (the last segment of a key); nullopt when
// `name` is not one. Readers of the lake (rebuild --from-lake) use it.
struct LakeObjectNameParts {
  std::string source;
  ShardId shard;
  SequenceNumber first, last;
  std::string extension;  // ".json.gz"
};
std::optional<LakeObjectNameParts> ParseLakeObjectName(std::string_view name);

}  // namespace mailpulse
