// KinesisStream: the Stream interface on Amazon Kinesis Data Streams (or any
// server speaking its API, e.g. kinesalite), chosen with
// --stream kinesis://STREAM?region=...&endpoint=... (docs/kinesis.md).
//
// Appends go through a PutBatcher (put_batcher.h): concurrent calls are
// coalesced into PutRecords requests and a callback reports ok only once
// Kinesis acknowledged every record of its call. Kinesis routes a record by
// the MD5 of its partition key over the shards' hash key ranges, whatever
// mailpulse thinks: the `shard` argument of Append is a grouping hint only
// and is ignored. shard_count() is the number of OPEN shards when the stream
// was opened; ingest uses it only to group its dedupe index, which does not
// need to match Kinesis' routing.
//
// Shards are named by Kinesis ("shardId-000000000003"); ShardId is the
// numeric suffix (3). Describe() lists every shard ListShards returns, closed
// ones included, with parents (split/merge lineage) and the closed flag.
//
// Checkpoints are not kept in Kinesis (it has none): they live in the local
// file store of the embedded log (stream/local/checkpoint_store.h) under
// DATA_DIR/checkpoints/kinesis-<stream>/, one directory per consumer.
//
// Thread-safe as Stream requires. Readers must be destroyed before the stream.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/metrics.h"
#include "stream/kinesis/kinesis_client.h"
#include "stream/kinesis/kinesis_probe.h"
#include "stream/kinesis/kinesis_reader.h"
#include "stream/kinesis/put_batcher.h"
#include "stream/local/checkpoint_store.h"
#include "stream/stream.h"

namespace mailpulse {

struct KinesisStreamOptions {
  KinesisOptions kinesis;
  std::string data_dir;  // checkpoints go to DATA_DIR/checkpoints/kinesis-<stream>
  // No sender threads; appends fail with kRetry (CLI inspection).
  bool read_only = false;
  FileSystem* fs = FileSystem::Default();
  MetricsRegistry* metrics = nullptr;
  KinesisReaderOptions reader;  // pacing; tests shorten it
};

class KinesisStream final : public Stream {
 public:
  // Checks the stream exists and is ACTIVE or UPDATING (DescribeStreamSummary),
  // reads its record size limit and lists its shards. kNotFound naming the
  // stream when it does not exist.
  static Result<std::unique_ptr<KinesisStream>> Open(const KinesisStreamOptions& options,
                                                     std::unique_ptr<KinesisClient> client);
  ~KinesisStream() override;

  uint32_t shard_count() const override { return open_shards_; }
  void Append(ShardId shard, std::vector<AppendRecord> records, AppendCallback done) override;
  Result<std::unique_ptr<StreamReader>> OpenReader(ShardId shard, StartPosition start) override;
  Status SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) override;
  Result<SequenceNumber> LoadCheckpoint(std::string_view consumer, ShardId shard) override;
  // Lists the shards again; on failure, the last successful listing.
  std::vector<ShardInfo> Describe() override;
  void Close() override;

  const std::string& name() const { return options_.kinesis.stream; }
  uint64_t max_record_bytes() const { return max_record_bytes_; }

 private:
  KinesisStream(const KinesisStreamOptions& options, std::unique_ptr<KinesisClient> client);
  Result<std::vector<ShardInfo>> ListShards();

  const KinesisStreamOptions options_;
  std::unique_ptr<KinesisClient> client_;
  std::unique_ptr<KinesisProbe> probe_;
  std::unique_ptr<CheckpointStore> checkpoints_;
  std::string checkpoint_dir_;
  std::mutex checkpoint_dir_mu_;
  bool checkpoint_dir_created_ = false;
  std::unique_ptr<PutBatcher> batcher_;
  uint32_t open_shards_ = 0;
  uint64_t max_record_bytes_ = kDefaultMaxRecordBytes;
  std::mutex mu_;
  std::vector<ShardInfo> last_listing_;
};

// ShardInfo of Kinesis' shard descriptions, sorted by ShardId. Shards whose
// name has no numeric suffix are skipped (never seen from Kinesis).
std::vector<ShardInfo> ShardInfosFromKinesis(const std::vector<KinesisShard>& shards);

}  // namespace mailpulse
