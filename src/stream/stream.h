// Stream: the durable, sharded, ordered record log between ingest and the
// consumers (delivery, analytics) — Kinesis Data Streams' role.
//
// Backends (the embedded log in stream/local/, later Kinesis and Kafka) sit
// behind this interface and are chosen by URL in stream/stream_registry.
// A record's shard is chosen from its partition key exactly as Kinesis does
// (MD5 of the key as a 128-bit integer over evenly split hash ranges), so the
// mapping matches a real Kinesis stream with the same shard count.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace mailpulse {

// A record handed to Append. The bytes it points at must stay valid until
// the append's callback has run.
struct AppendRecord {
  std::string_view partition_key;
  std::string_view payload;
  UnixMillis arrival_ms = 0;
};

// A record as read back.
struct StreamRecord {
  SequenceNumber seq;
  UnixMillis arrival_ms = 0;
  std::string partition_key;
  std::string payload;
};

// Where a reader starts, as Kinesis' ShardIteratorType.
struct StartPosition {
  enum class Kind { kTrimHorizon, kLatest, kAtSequence, kAfterSequence, kAtTimestamp };
  Kind kind = Kind::kTrimHorizon;
  SequenceNumber seq;        // kAtSequence / kAfterSequence
  UnixMillis timestamp = 0;  // kAtTimestamp: first record with arrival_ms >= timestamp

  static StartPosition TrimHorizon() { return {}; }
  static StartPosition Latest() { return {Kind::kLatest, {}, 0}; }
  static StartPosition At(SequenceNumber s) { return {Kind::kAtSequence, s, 0}; }
  static StartPosition After(SequenceNumber s) { return {Kind::kAfterSequence, s, 0}; }
  static StartPosition AtTimestamp(UnixMillis t) { return {Kind::kAtTimestamp, {}, t}; }
};

// Called exactly once per Append, on a stream thread, when every record of
// the call is durable (ok; first..last are their sequence numbers) or when
// the append failed (non-ok; none of the records will ever be readable).
// kRetry means the stream is over its disk budget or had an I/O fault and the
// client should try again later (ingest answers 503).
using AppendCallback =
    std::function<void(const Status& status, SequenceNumber first, SequenceNumber last)>;

// Reads one shard in sequence order. Not thread-safe; one per consumer thread.
class StreamReader {
 public:
  virtual ~StreamReader() = default;
  // Up to max_records records (and roughly max_bytes of payload) after the
  // last one returned. Empty means caught up: call again later.
  virtual Result<std::vector<StreamRecord>> Read(size_t max_records, size_t max_bytes) = 0;
  // The same records as Read, into *out (replacing its contents). A consumer
  // that passes the same vector every time lets a backend reuse the strings'
  // memory: the embedded log then copies each record once and allocates
  // nothing per record in steady state. On error *out is unspecified.
  virtual Status ReadInto(std::vector<StreamRecord>* out, size_t max_records, size_t max_bytes) {
    MP_ASSIGN_OR_RETURN(*out, Read(max_records, max_bytes));
    return Status::Ok();
  }
  // True once the shard is closed (resharded, Kinesis) and every record of
  // it was returned: the consumer checkpoints SequenceNumber::ShardEnd() and
  // its children may start. The embedded log's and Kafka's shards never close.
  virtual bool at_shard_end() const { return false; }
};

struct ShardInfo {
  ShardId id;
  std::string name;               // the backend's own name ("shard-0003", "shardId-000000000003")
  std::vector<ShardId> parents;   // shards this one was split or merged from (Kinesis)
  bool closed = false;            // takes no more records; readable until retention trims it
  std::string starting_hash_key;  // decimal, as Kinesis' HashKeyRange
  std::string ending_hash_key;
  SequenceNumber first_seq;  // oldest readable record (0 when empty)
  SequenceNumber last_seq;   // newest durable record (0 when empty)
  uint64_t records = 0;      // readable records
  uint64_t bytes = 0;        // bytes on disk
  uint32_t segments = 0;
};

class Stream {
 public:
  virtual ~Stream() = default;

  // Shards an appender groups records by. The embedded log and Kafka write
  // to exactly that shard; Kinesis routes by the partition key itself, so
  // there `shard` in Append is a grouping hint and shard_count() is the number
  // of open shards when the stream was opened.
  virtual uint32_t shard_count() const = 0;
  ShardId ShardFor(std::string_view partition_key) const;

  // Thread-safe. Records of one call land in order with consecutive sequence
  // numbers; concurrent calls share one fsync (group commit).
  virtual void Append(ShardId shard, std::vector<AppendRecord> records, AppendCallback done) = 0;

  virtual Result<std::unique_ptr<StreamReader>> OpenReader(ShardId shard, StartPosition start) = 0;

  // Named consumer checkpoints: the last sequence number a consumer has fully
  // processed on a shard. Durable when the call returns.
  virtual Status SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) = 0;
  // NotFound when the consumer never saved one for this shard.
  virtual Result<SequenceNumber> LoadCheckpoint(std::string_view consumer, ShardId shard) = 0;

  // Every readable shard, closed ones included, in ShardId order. Consumers
  // read a shard only after its parents are consumed to their end
  // (stream/shard_lineage.h).
  virtual std::vector<ShardInfo> Describe() = 0;

  // Stops background threads after completing or failing every pending append.
  virtual void Close() = 0;
};

// Kinesis' shard choice: hash = MD5(key) as a big-endian 128-bit integer;
// shard i owns [i*w, (i+1)*w - 1] with w = floor(2^128 / n), the last shard
// also owning the remainder up to 2^128-1.
ShardId ShardForKey(std::string_view partition_key, uint32_t shard_count);
// Decimal starting/ending hash keys of shard i of n.
std::pair<std::string, std::string> ShardHashKeyRange(uint32_t shard, uint32_t shard_count);

}  // namespace mailpulse
