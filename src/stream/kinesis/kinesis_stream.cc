#include "stream/kinesis/kinesis_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mailpulse {

std::vector<ShardInfo> ShardInfosFromKinesis(const std::vector<KinesisShard>& shards) {
  std::vector<ShardInfo> out;
  out.reserve(shards.size());
  for (const KinesisShard& k : shards) {
    std::optional<ShardId> id = ShardIdFromName(k.shard_id);
    if (!id) continue;
    ShardInfo info;
    info.id = *id;
    info.name = k.shard_id;
    for (const std::string* parent : {&k.parent_shard_id, &k.adjacent_parent_shard_id}) {
      if (parent->empty()) continue;
      if (std::optional<ShardId> p = ShardIdFromName(*parent)) info.parents.push_back(*p);
    }
    info.closed = !k.ending_sequence_number.empty();
    info.starting_hash_key = k.starting_hash_key;
    info.ending_hash_key = k.ending_hash_key;
    if (auto s = SequenceNumber::FromDecimal(k.starting_sequence_number)) info.first_seq = *s;
    if (auto e = SequenceNumber::FromDecimal(k.ending_sequence_number)) info.last_seq = *e;
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const ShardInfo& a, const ShardInfo& b) { return a.id < b.id; });
  return out;
}

KinesisStream::KinesisStream(const KinesisStreamOptions& options,
                             std::unique_ptr<KinesisClient> client)
    : options_(options),
      client_(std::move(client)),
      probe_(std::make_unique<KinesisProbe>(options.metrics, options.kinesis.stream)) {}

KinesisStream::~KinesisStream() { Close(); }

Result<std::unique_ptr<KinesisStream>> KinesisStream::Open(const KinesisStreamOptions& options,
                                                           std::unique_ptr<KinesisClient> client) {
  MP_RETURN_IF_ERROR(ValidateKinesisStreamName(options.kinesis.stream));
  if (options.data_dir.empty()) return Status::Invalid("kinesis: no data dir for checkpoints");
  const std::string& name = options.kinesis.stream;
  MP_ASSIGN_OR_RETURN(StreamSummary summary, client->DescribeStreamSummary(name));
  if (summary.status != "ACTIVE" && summary.status != "UPDATING") {
    return Status::Retry("kinesis stream '" + name + "' is " + summary.status +
                         ", not ACTIVE; try again when it is");
  }
  auto s = std::unique_ptr<KinesisStream>(new KinesisStream(options, std::move(client)));
  if (summary.max_record_size_kib > 0)
    s->max_record_bytes_ = static_cast<uint64_t>(summary.max_record_size_kib) * 1024;
  MP_ASSIGN_OR_RETURN(std::vector<ShardInfo> shards, s->ListShards());
  for (const ShardInfo& info : shards) s->open_shards_ += info.closed ? 0 : 1;
  if (s->open_shards_ == 0) return Status::Fail("kinesis stream '" + name + "' has no open shard");

  // Created by the first checkpoint save, not here: producers (ingest, the
  // Lambda function) never save one and may have no writable disk.
  s->checkpoint_dir_ = options.data_dir + "/checkpoints/kinesis-" + name;
  s->checkpoints_ = std::make_unique<CheckpointStore>(options.fs, s->checkpoint_dir_);
  if (!options.read_only) {
    PutBatcherOptions bo;
    bo.senders = options.kinesis.senders;
    bo.retry_deadline_ms = options.kinesis.retry_deadline_ms;
    bo.backoff = options.kinesis.put_backoff;
    // A PutRecords request may not carry more than 5 MiB even when a single
    // record may (streams configured above 5 MiB records).
    bo.max_record_bytes = std::min<uint64_t>(s->max_record_bytes_, kPutRecordsMaxBytes);
    KinesisClient* c = s->client_.get();
    s->batcher_ = std::make_unique<PutBatcher>(
        bo,
        [c, name](std::span<const PutRecordsEntry> entries) {
          return c->PutRecords(name, entries);
        },
        s->probe_.get());
  }
  spdlog::info("kinesis stream '{}' at {}: {} open of {} shards, records up to {} bytes", name,
               s->client_->endpoint(), s->open_shards_, shards.size(), s->max_record_bytes_);
  return s;
}

Result<std::vector<ShardInfo>> KinesisStream::ListShards() {
  MP_ASSIGN_OR_RETURN(std::vector<KinesisShard> listed,
                      client_->ListAllShards(options_.kinesis.stream));
  std::vector<ShardInfo> infos = ShardInfosFromKinesis(listed);
  std::lock_guard<std::mutex> lock(mu_);
  last_listing_ = infos;
  return infos;
}

void KinesisStream::Append(ShardId /*shard: a grouping hint; Kinesis routes by key*/,
                           std::vector<AppendRecord> records, AppendCallback done) {
  if (!batcher_) {
    done(Status::Retry("kinesis stream '" + name() + "' is open read-only"), SequenceNumber(),
         SequenceNumber());
    return;
  }
  batcher_->Append(std::move(records), std::move(done));
}

Result<std::unique_ptr<StreamReader>> KinesisStream::OpenReader(ShardId shard,
                                                                StartPosition start) {
  return std::unique_ptr<StreamReader>(std::make_unique<KinesisReader>(
      client_.get(), probe_.get(), name(), ShardNameFor(shard), start, options_.reader));
}

Status KinesisStream::SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) {
  if (options_.read_only) return Status::Fail("kinesis stream opened read-only");
  {
    std::lock_guard<std::mutex> l(checkpoint_dir_mu_);
    if (!checkpoint_dir_created_) {
      MP_RETURN_IF_ERROR(options_.fs->CreateDir(checkpoint_dir_));
      checkpoint_dir_created_ = true;
    }
  }
  return checkpoints_->Save(consumer, shard, seq);
}

Result<SequenceNumber> KinesisStream::LoadCheckpoint(std::string_view consumer, ShardId shard) {
  return checkpoints_->Load(consumer, shard);
}

std::vector<ShardInfo> KinesisStream::Describe() {
  Result<std::vector<ShardInfo>> listed = ListShards();
  if (listed.ok()) return std::move(*listed);
  spdlog::warn("kinesis stream '{}': ListShards failed, using the last listing: {}", name(),
               listed.status().ToString());
  std::lock_guard<std::mutex> lock(mu_);
  return last_listing_;
}

void KinesisStream::Close() {
  if (batcher_) batcher_->Close();
}

}  // namespace mailpulse
