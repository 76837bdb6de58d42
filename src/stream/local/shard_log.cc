#include "stream/local/shard_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/thread_name.h"
#include "stream/local/checkpoint_store.h"
#include "stream/local/segment.h"

namespace mailpulse {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

constexpr auto kRetentionInterval = std::chrono::seconds(1);

}  // namespace

ShardLog::ShardLog(const ShardLogOptions& options)
    : opt_(options), encoder_(options.compression_level) {}

Result<std::unique_ptr<ShardLog>> ShardLog::Open(const ShardLogOptions& options) {
  std::unique_ptr<ShardLog> log(new ShardLog(options));
  MP_RETURN_IF_ERROR(log->Recover());
  if (!options.read_only) {
    log->last_retention_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
    log->writer_ = std::thread([p = log.get()] {
      SetThreadName("mp-log-" + std::to_string(p->opt_.shard.value()));
      p->WriterLoop();
    });
  }
  return log;
}

ShardLog::~ShardLog() { Close(); }

std::string ShardLog::SegmentPath(uint64_t first_seq) const {
  return opt_.dir + "/" + SegmentFileName(first_seq);
}

Status ShardLog::Recover() {
  FileSystem& fs = *opt_.fs;
  if (!opt_.read_only) MP_RETURN_IF_ERROR(fs.CreateDir(opt_.dir));
  std::vector<uint64_t> firsts;
  Result<std::vector<std::string>> names = fs.ListDir(opt_.dir);
  if (!names.ok() && !(opt_.read_only && names.status().kind() == ErrorKind::kNotFound)) {
    return names.status();
  }
  if (names.ok()) {
    for (const std::string& n : *names) {
      uint64_t first = 0;
      if (ParseSegmentFileName(n, first)) firsts.push_back(first);
    }
  }
  std::sort(firsts.begin(), firsts.end());

  uint64_t prev_last = 0;  // last record of the previous segment
  for (size_t i = 0; i < firsts.size(); ++i) {
    bool last = i + 1 == firsts.size();
    std::string path = SegmentPath(firsts[i]);
    MP_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> f, fs.OpenReadable(path));
    MP_ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(*f, firsts[i], /*verify_bodies=*/last));
    SegmentView v;
    v.first_seq = firsts[i];
    v.bytes = scan.valid_bytes;
    v.file_bytes = scan.file_bytes;
    v.last_seq = scan.last_seq;
    v.records = scan.records;
    v.min_arrival_ms = scan.min_arrival_ms;
    v.max_arrival_ms = scan.max_arrival_ms;
    // (An empty newest segment with a wrong name is repaired below, not a gap.)
    bool empty_tail = last && v.records == 0;
    if (prev_last != 0 && firsts[i] != prev_last + 1 && !segments_.empty() && !empty_tail) {
      segments_.rbegin()->second.corruption = Status::Corruption(
          "records " + std::to_string(prev_last + 1) + ".." + std::to_string(firsts[i] - 1) +
          " missing between segments in " + opt_.dir);
    }
    if (!scan.stop.ok()) {
      if (last && !opt_.read_only) {
        spdlog::warn("stream recovery: truncating {} from {} to {} bytes ({})", path,
                     scan.file_bytes, scan.valid_bytes, scan.stop.message());
        MP_RETURN_IF_ERROR(fs.Truncate(path, scan.valid_bytes));
        v.file_bytes = scan.valid_bytes;
      } else if (!last) {
        spdlog::error("stream: corrupt batch in sealed segment {}: {}", path, scan.stop.message());
        v.corruption = Status::Corruption(path + ": " + scan.stop.message());
      }
    }
    if (v.last_seq != 0) prev_last = v.last_seq;
    segments_[v.first_seq] = v;
  }

  if (!segments_.empty()) {
    const SegmentView& tail = segments_.rbegin()->second;
    next_seq_ = tail.last_seq != 0 ? tail.last_seq + 1 : tail.first_seq;
  }
  if (opt_.read_only) {
    if (!segments_.empty()) segments_.rbegin()->second.active = true;
  } else {
    bool need_new = segments_.empty();
    if (!need_new) {
      const SegmentView& tail = segments_.rbegin()->second;
      if (tail.last_seq == 0 && prev_last != 0 && tail.first_seq != prev_last + 1) {
        // An empty newest segment whose name does not continue the sequence
        // (this writer never makes one); the sequence continues from the last
        // record, so replace it.
        const uint64_t misnamed = tail.first_seq;
        MP_RETURN_IF_ERROR(fs.Remove(SegmentPath(misnamed)));
        segments_.erase(misnamed);
        next_seq_ = prev_last + 1;
        need_new = true;
      }
    }
    if (need_new) {
      SegmentView v;
      v.first_seq = next_seq_;
      segments_[next_seq_] = v;
      MP_ASSIGN_OR_RETURN(active_file_, fs.OpenAppend(SegmentPath(next_seq_)));
      MP_RETURN_IF_ERROR(fs.SyncDir(opt_.dir));
    }
    SegmentView& tail = segments_.rbegin()->second;
    tail.active = true;
    if (!active_file_) {
      MP_ASSIGN_OR_RETURN(active_file_, fs.OpenAppend(SegmentPath(tail.first_seq)));
    }
    if (active_file_->Size() != tail.bytes) {
      return Status::Fail("stream: active segment " + SegmentPath(tail.first_seq) + " has " +
                          std::to_string(active_file_->Size()) +
                          " bytes after recovery, expected " + std::to_string(tail.bytes));
    }
  }
  uint64_t disk = 0;
  for (const auto& [first, v] : segments_) disk += v.file_bytes;
  AddDiskBytes(static_cast<int64_t>(disk));
  return Status::Ok();
}

void ShardLog::AddDiskBytes(int64_t delta) {
  if (opt_.stream_disk_bytes == nullptr) return;
  uint64_t now = opt_.stream_disk_bytes->fetch_add(static_cast<uint64_t>(delta)) +
                 static_cast<uint64_t>(delta);
  if (opt_.metrics.disk_bytes != nullptr) opt_.metrics.disk_bytes->Set(static_cast<int64_t>(now));
}

void ShardLog::Append(std::vector<AppendRecord> records, AppendCallback done) {
  if (records.empty()) {
    done(Status::Invalid("append of zero records"), SequenceNumber(), SequenceNumber());
    return;
  }
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    if (!closing_ && !opt_.read_only) {
      queue_.push_back(PendingAppend{
          std::move(records), std::move(done), std::chrono::steady_clock::now(), {}, 0, 0});
      if (queue_.size() == 1) queue_cv_.notify_one();
      return;
    }
  }
  done(Status::Retry(opt_.read_only ? "stream opened read-only" : "stream is closed"),
       SequenceNumber(), SequenceNumber());
}

void ShardLog::Close() {
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    closing_ = true;
    queue_cv_.notify_one();
  }
  std::lock_guard<std::mutex> l(retention_mu_);  // no retention runs past Close
  if (writer_.joinable()) writer_.join();
}

void ShardLog::WriterLoop() {
  std::vector<PendingAppend> round;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(queue_mu_);
      queue_cv_.wait_for(l, kRetentionInterval, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty() && closing_) break;
      round.swap(queue_);
    }
    if (!round.empty()) {
      ProcessRound(round);
      round.clear();
    }
    auto since = std::chrono::steady_clock::now() -
                 std::chrono::steady_clock::time_point(
                     std::chrono::steady_clock::duration(last_retention_ns_.load()));
    if (since >= kRetentionInterval) RunRetention();
  }
}

void ShardLog::Finish(PendingAppend& p, const Status& s) {
  if (s.ok()) {
    p.done(s, SequenceNumber(p.first), SequenceNumber(p.last));
  } else {
    p.done(s, SequenceNumber(), SequenceNumber());
  }
  if (opt_.metrics.append_seconds != nullptr)
    opt_.metrics.append_seconds->Observe(SecondsSince(p.enqueued));
}

void ShardLog::ProcessRound(std::vector<PendingAppend>& round) {
  if (opt_.metrics.group_commit_appends != nullptr) {
    opt_.metrics.group_commit_appends->Observe(static_cast<double>(round.size()));
  }
  if (!broken_.ok()) {
    for (PendingAppend& p : round) Finish(p, broken_);
    return;
  }
  const UnixMillis now = opt_.clock->NowMillis();
  size_t i = 0;
  while (i < round.size()) {
    // A segment that reached its size rolls between appends, never inside one.
    uint64_t active_bytes = active_file_->Size();
    if (active_bytes >= opt_.segment_bytes && active_bytes > 0) {
      Status s = Roll();
      if (!s.ok())
        spdlog::error("stream shard {}: segment roll failed: {}", opt_.shard.value(), s.ToString());
      active_bytes = active_file_->Size();
    }
    out_.clear();
    size_t unit_begin = i;
    uint64_t seq = next_seq_;
    uint64_t unit_records = 0;
    int64_t min_arrival = INT64_MAX, max_arrival = INT64_MIN;
    encoder_.Begin(seq);
    Status encode_status;
    for (; i < round.size(); ++i) {
      PendingAppend& p = round[i];
      if (i > unit_begin && active_bytes + out_.size() >= opt_.segment_bytes) break;
      uint64_t disk = opt_.stream_disk_bytes != nullptr ? opt_.stream_disk_bytes->load() : 0;
      if (opt_.disk_budget_bytes != 0 && disk + out_.size() >= opt_.disk_budget_bytes) {
        p.status = Status::Retry("stream disk budget of " + std::to_string(opt_.disk_budget_bytes) +
                                 " bytes is used up (" + std::to_string(disk) +
                                 " bytes on disk); retry later");
        continue;
      }
      p.first = seq;
      for (const AppendRecord& r : p.records) {
        UnixMillis arrival = r.arrival_ms != 0 ? r.arrival_ms : now;
        min_arrival = std::min(min_arrival, arrival);
        max_arrival = std::max(max_arrival, arrival);
        encoder_.Add(r.partition_key, r.payload, arrival);
        ++seq;
        if (encoder_.raw_size() >= log_format::kTargetBatchRawBytes) {
          encode_status = encoder_.Finish(out_);
          if (!encode_status.ok()) break;
        }
      }
      if (!encode_status.ok()) break;
      p.last = seq - 1;
      unit_records += p.records.size();
    }
    if (encode_status.ok() && encoder_.record_count() > 0) encode_status = encoder_.Finish(out_);

    Status s = encode_status;
    if (s.ok() && unit_records > 0)
      s = WriteAndSync(seq - 1, min_arrival, max_arrival, unit_records);
    if (!s.ok()) {
      // Nothing of this unit is readable; fail it and the rest of the round.
      spdlog::warn("stream shard {}: append round failed: {}", opt_.shard.value(), s.ToString());
      Status retry = s.kind() == ErrorKind::kRetry || s.kind() == ErrorKind::kInvalid
                         ? s
                         : Status::Retry(s.message());
      for (size_t j = unit_begin; j < round.size(); ++j) {
        Finish(round[j], round[j].status.ok() ? retry : round[j].status);
      }
      return;
    }
    next_seq_ = seq;
    for (size_t j = unit_begin; j < i; ++j) Finish(round[j], round[j].status);
  }
}

Status ShardLog::WriteAndSync(uint64_t last_seq, int64_t min_arrival, int64_t max_arrival,
                              uint64_t records) {
  const uint64_t durable = active_file_->Size();
  Status s = active_file_->Append(std::string_view(out_));
  if (s.ok()) {
    auto t0 = std::chrono::steady_clock::now();
    s = active_file_->Sync();
    if (opt_.metrics.fsync_seconds != nullptr)
      opt_.metrics.fsync_seconds->Observe(SecondsSince(t0));
  }
  if (!s.ok()) {
    Status t = active_file_->Truncate(durable);
    if (!t.ok()) {
      broken_ = Status::Retry("stream shard " + std::to_string(opt_.shard.value()) +
                              " stopped: cannot roll back a failed write (" + t.message() +
                              "); restart to recover");
      spdlog::error("{}", broken_.message());
    }
    return s;
  }
  const uint64_t size = active_file_->Size();
  {
    std::lock_guard<std::mutex> l(state_mu_);
    SegmentView& v = segments_.rbegin()->second;
    v.bytes = v.file_bytes = size;
    v.last_seq = last_seq;
    v.records += records;
    v.min_arrival_ms = std::min(v.min_arrival_ms, min_arrival);
    v.max_arrival_ms = std::max(v.max_arrival_ms, max_arrival);
  }
  AddDiskBytes(static_cast<int64_t>(size - durable));
  if (opt_.metrics.records != nullptr) opt_.metrics.records->Inc(records);
  if (opt_.metrics.bytes != nullptr) opt_.metrics.bytes->Inc(size - durable);
  return Status::Ok();
}

Status ShardLog::Roll() {
  std::string path = SegmentPath(next_seq_);
  MP_ASSIGN_OR_RETURN(std::unique_ptr<AppendFile> f, opt_.fs->OpenAppend(path));
  if (f->Size() != 0) MP_RETURN_IF_ERROR(f->Truncate(0));  // leftover of a failed roll
  MP_RETURN_IF_ERROR(opt_.fs->SyncDir(opt_.dir));
  {
    std::lock_guard<std::mutex> l(state_mu_);
    segments_.rbegin()->second.active = false;
    SegmentView v;
    v.first_seq = next_seq_;
    v.active = true;
    segments_[next_seq_] = v;
  }
  active_file_ = std::move(f);
  RunRetention();
  return Status::Ok();
}

void ShardLog::RunRetention() {
  std::unique_lock<std::mutex> rl(retention_mu_, std::try_to_lock);
  if (!rl.owns_lock()) return;  // another thread is on it (or Close is)
  last_retention_ns_.store(std::chrono::steady_clock::now().time_since_epoch().count());
  if (opt_.read_only || (opt_.retention_seconds <= 0 && opt_.retention_bytes == 0)) return;
  const UnixMillis cutoff = opt_.clock->NowMillis() - opt_.retention_seconds * 1000;
  std::vector<SegmentView> doomed;
  {
    std::lock_guard<std::mutex> l(state_mu_);
    uint64_t total = 0;
    for (const auto& [first, v] : segments_) total += v.file_bytes;
    for (auto it = segments_.begin(); it != segments_.end() && !it->second.active;) {
      const SegmentView& v = it->second;
      bool expired = opt_.retention_seconds > 0 && (v.records == 0 || v.max_arrival_ms < cutoff);
      bool over = opt_.retention_bytes != 0 && total > opt_.retention_bytes;
      if (!expired && !over) break;
      total -= v.file_bytes;
      doomed.push_back(v);
      it = segments_.erase(it);
    }
  }
  for (const SegmentView& v : doomed) {
    Status s = opt_.fs->Remove(SegmentPath(v.first_seq));
    if (!s.ok()) spdlog::warn("stream retention: {}", s.ToString());
    AddDiskBytes(-static_cast<int64_t>(v.file_bytes));
  }
  if (!doomed.empty()) {
    Status s = opt_.fs->SyncDir(opt_.dir);
    if (!s.ok()) spdlog::warn("stream retention: {}", s.ToString());
  }
}

std::vector<SegmentView> ShardLog::Segments() const {
  std::lock_guard<std::mutex> l(state_mu_);
  std::vector<SegmentView> out;
  out.reserve(segments_.size());
  for (const auto& [first, v] : segments_) out.push_back(v);
  return out;
}

std::optional<SegmentView> ShardLog::FindSegment(uint64_t first_seq) const {
  std::lock_guard<std::mutex> l(state_mu_);
  auto it = segments_.find(first_seq);
  if (it == segments_.end()) return std::nullopt;
  return it->second;
}

std::optional<SegmentView> ShardLog::SegmentAfter(uint64_t first_seq) const {
  std::lock_guard<std::mutex> l(state_mu_);
  auto it = segments_.upper_bound(first_seq);
  if (it == segments_.end()) return std::nullopt;
  return it->second;
}

std::optional<SegmentView> ShardLog::OldestSegment() const {
  std::lock_guard<std::mutex> l(state_mu_);
  if (segments_.empty()) return std::nullopt;
  return segments_.begin()->second;
}

std::optional<SegmentView> ShardLog::ActiveSegment() const {
  std::lock_guard<std::mutex> l(state_mu_);
  if (segments_.empty()) return std::nullopt;
  return segments_.rbegin()->second;
}

ShardInfo ShardLog::Info() const {
  ShardInfo info;
  info.id = opt_.shard;
  info.name = ShardDirName(opt_.shard);
  std::lock_guard<std::mutex> l(state_mu_);
  info.segments = static_cast<uint32_t>(segments_.size());
  for (const auto& [first, v] : segments_) {
    info.bytes += v.file_bytes;
    info.records += v.records;
    if (v.records == 0) continue;
    if (info.first_seq.is_zero()) info.first_seq = SequenceNumber(v.first_seq);
    info.last_seq = SequenceNumber(v.last_seq);
  }
  return info;
}

}  // namespace mailpulse
