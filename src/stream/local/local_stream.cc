#include "stream/local/local_stream.h"

#include <sstream>

#include "stream/local/log_format.h"
#include "stream/local/log_reader.h"

namespace mailpulse {
namespace {

constexpr const char* kMetaHeader = "mailpulse-stream";

std::string MetaText(uint32_t shards) {
  return std::string(kMetaHeader) + "\nformat_version " +
         std::to_string(log_format::kFormatVersion) + "\nshards " + std::to_string(shards) + "\n";
}

// Parses the meta file into (format_version, shards).
Result<std::pair<int, uint32_t>> ParseMeta(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::string header, k1, k2;
  long long version = -1, shards = -1;
  if (!std::getline(in, header) || header != kMetaHeader ||
      !(in >> k1 >> version >> k2 >> shards) || k1 != "format_version" || k2 != "shards" ||
      shards <= 0 || shards > 65536) {
    return Status::Corruption("malformed stream meta file " + path);
  }
  return std::make_pair(static_cast<int>(version), static_cast<uint32_t>(shards));
}

}  // namespace

LocalStream::LocalStream(const LocalStreamOptions& options) : opt_(options) {}

LocalStream::~LocalStream() { Close(); }

Result<std::unique_ptr<LocalStream>> LocalStream::Open(const LocalStreamOptions& options) {
  if (options.dir.empty()) return Status::Invalid("stream directory not set");
  if (options.shards == 0 || options.shards > 65536)
    return Status::Invalid("stream shard count must be 1..65536");
  if (options.fs == nullptr || options.clock == nullptr)
    return Status::Invalid("stream needs a file system and a clock");
  std::unique_ptr<LocalStream> s(new LocalStream(options));
  MP_RETURN_IF_ERROR(s->Init());
  return s;
}

Status LocalStream::Init() {
  FileSystem& fs = *opt_.fs;
  const std::string meta_path = opt_.dir + "/meta";
  Result<std::string> meta = ReadFileToString(fs, meta_path);
  uint32_t shards = opt_.shards;
  if (meta.ok()) {
    MP_ASSIGN_OR_RETURN(auto parsed, ParseMeta(*meta, meta_path));
    if (parsed.first != log_format::kFormatVersion) {
      return Status::Fail("stream " + opt_.dir + " has format version " +
                          std::to_string(parsed.first) + "; this build reads version " +
                          std::to_string(log_format::kFormatVersion));
    }
    if (parsed.second != opt_.shards) {
      return Status::Invalid(
          "stream " + opt_.dir + " was created with " + std::to_string(parsed.second) +
          " shards but " + std::to_string(opt_.shards) +
          " were configured; the shard count of an existing stream cannot change "
          "(set shards = " +
          std::to_string(parsed.second) + " or use a new data directory)");
    }
  } else if (meta.status().kind() == ErrorKind::kNotFound) {
    if (opt_.read_only) return Status::NotFound("no stream at " + opt_.dir);
    MP_RETURN_IF_ERROR(fs.CreateDir(opt_.dir));
    MP_RETURN_IF_ERROR(fs.CreateDir(opt_.dir + "/checkpoints"));
    MP_RETURN_IF_ERROR(WriteFileAtomically(fs, meta_path, MetaText(opt_.shards)));
  } else {
    return meta.status();
  }

  Gauge* disk_gauge = nullptr;
  if (opt_.metrics != nullptr) {
    disk_gauge =
        &opt_.metrics->GetGauge("mailpulse_stream_disk_bytes", "Bytes of stream segments on disk.",
                                "stream=\"" + opt_.metrics_name + "\"");
  }
  for (uint32_t i = 0; i < shards; ++i) {
    ShardLogOptions so;
    so.dir = opt_.dir + "/" + ShardDirName(ShardId(i));
    so.shard = ShardId(i);
    so.segment_bytes = opt_.segment_bytes;
    so.retention_seconds = opt_.retention_seconds;
    so.retention_bytes = opt_.retention_bytes_per_shard;
    so.disk_budget_bytes = opt_.disk_budget_bytes;
    so.compression_level = opt_.compression_level;
    so.read_only = opt_.read_only;
    so.fs = opt_.fs;
    so.clock = opt_.clock;
    so.stream_disk_bytes = &disk_bytes_;
    if (MetricsRegistry* m = opt_.metrics) {
      std::string labels =
          "stream=\"" + opt_.metrics_name + "\",shard=\"" + std::to_string(i) + "\"";
      so.metrics.append_seconds =
          &m->GetHistogram("mailpulse_stream_append_seconds",
                           "Append latency, enqueue to durable callback.", labels);
      so.metrics.fsync_seconds =
          &m->GetHistogram("mailpulse_stream_fsync_seconds", "fdatasync latency.", labels);
      so.metrics.group_commit_appends = &m->GetHistogram(
          "mailpulse_stream_group_commit_appends", "Appends sharing one write and fsync.", labels,
          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
      so.metrics.records =
          &m->GetCounter("mailpulse_stream_records_total", "Records made durable.", labels);
      so.metrics.bytes =
          &m->GetCounter("mailpulse_stream_bytes_total", "Bytes written to segments.", labels);
      so.metrics.disk_bytes = disk_gauge;
    }
    MP_ASSIGN_OR_RETURN(std::unique_ptr<ShardLog> log, ShardLog::Open(so));
    shards_.push_back(std::move(log));
  }
  checkpoints_ = std::make_unique<CheckpointStore>(opt_.fs, opt_.dir + "/checkpoints");
  return Status::Ok();
}

void LocalStream::Append(ShardId shard, std::vector<AppendRecord> records, AppendCallback done) {
  if (shard.value() >= shards_.size()) {
    done(Status::Invalid("no shard " + std::to_string(shard.value())), SequenceNumber(),
         SequenceNumber());
    return;
  }
  shards_[shard.value()]->Append(std::move(records), std::move(done));
}

Result<std::unique_ptr<StreamReader>> LocalStream::OpenReader(ShardId shard, StartPosition start) {
  if (shard.value() >= shards_.size())
    return Status::Invalid("no shard " + std::to_string(shard.value()));
  return std::unique_ptr<StreamReader>(
      std::make_unique<LogReader>(shards_[shard.value()].get(), start));
}

Status LocalStream::SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) {
  if (shard.value() >= shards_.size())
    return Status::Invalid("no shard " + std::to_string(shard.value()));
  if (opt_.read_only) return Status::Fail("stream opened read-only");
  return checkpoints_->Save(consumer, shard, seq);
}

Result<SequenceNumber> LocalStream::LoadCheckpoint(std::string_view consumer, ShardId shard) {
  if (shard.value() >= shards_.size())
    return Status::Invalid("no shard " + std::to_string(shard.value()));
  return checkpoints_->Load(consumer, shard);
}

std::vector<ShardInfo> LocalStream::Describe() {
  std::vector<ShardInfo> out;
  const auto n = static_cast<uint32_t>(shards_.size());
  for (uint32_t i = 0; i < n; ++i) {
    ShardInfo info = shards_[i]->Info();
    std::tie(info.starting_hash_key, info.ending_hash_key) = ShardHashKeyRange(i, n);
    out.push_back(std::move(info));
  }
  return out;
}

void LocalStream::RunRetention() {
  for (auto& s : shards_) s->RunRetention();
}

void LocalStream::Close() {
  for (auto& s : shards_) s->Close();
}

}  // namespace mailpulse
