#include "stream/local/log_reader.h"

#include "stream/local/segment.h"

namespace mailpulse {

LogReader::LogReader(ShardLog* log, StartPosition start) : log_(log) {
  using Kind = StartPosition::Kind;
  switch (start.kind) {
    case Kind::kTrimHorizon:
      break;  // segment_ 0: FetchBatch starts at the oldest segment
    case Kind::kLatest: {
      std::optional<SegmentView> active = log_->ActiveSegment();
      if (active) {
        MoveTo(active->first_seq);
        min_seq_ = active->last_seq != 0 ? active->last_seq + 1 : active->first_seq;
      }
      break;
    }
    case Kind::kAtSequence:
    case Kind::kAfterSequence: {
      min_seq_ = start.seq.u64() + (start.kind == Kind::kAfterSequence ? 1 : 0);
      // The newest segment starting at or before min_seq_; older than the
      // trim horizon means the oldest (as Kinesis does).
      for (const SegmentView& v : log_->Segments()) {
        if (v.first_seq <= min_seq_) MoveTo(v.first_seq);
      }
      break;
    }
    case Kind::kAtTimestamp: {
      arrival_filter_ = true;
      min_arrival_ms_ = start.timestamp;
      // Skip whole sealed segments that end before the timestamp.
      for (const SegmentView& v : log_->Segments()) {
        MoveTo(v.first_seq);
        if (v.active || v.records == 0 || v.max_arrival_ms >= start.timestamp) break;
      }
      break;
    }
  }
}

void LogReader::MoveTo(uint64_t segment_first_seq) {
  segment_ = segment_first_seq;
  offset_ = 0;
  file_.reset();
}

Result<std::vector<StreamRecord>> LogReader::Read(size_t max_records, size_t max_bytes) {
  std::vector<StreamRecord> out;
  MP_RETURN_IF_ERROR(ReadInto(&out, max_records, max_bytes));
  return out;
}

Status LogReader::ReadInto(std::vector<StreamRecord>* out, size_t max_records, size_t max_bytes) {
  // Records are assigned over the elements already in *out, whose strings
  // keep their capacity from the previous call.
  size_t n = 0;
  size_t bytes = 0;
  while (n < max_records && bytes < max_bytes) {
    if (pending_pos_ < pending_.size()) {
      const RecordView& r = pending_[pending_pos_++];
      if (n == out->size()) out->emplace_back();
      StreamRecord& o = (*out)[n++];
      o.seq = r.seq;
      o.arrival_ms = r.arrival_ms;
      o.partition_key.assign(r.key);
      o.payload.assign(r.payload);
      bytes += r.payload.size();
      continue;
    }
    Result<bool> got = FetchBatch();
    if (!got.ok()) {
      if (n > 0) break;  // the error repeats on the next call
      out->clear();
      return got.status();
    }
    if (!*got) break;
  }
  out->resize(n);
  return Status::Ok();
}

Result<bool> LogReader::FetchBatch() {
  pending_.clear();
  pending_pos_ = 0;
  for (;;) {
    std::optional<SegmentView> seg = segment_ != 0 ? log_->FindSegment(segment_) : std::nullopt;
    if (!seg) {
      // Not positioned yet, or retention deleted our segment: the oldest
      // remaining record is next.
      std::optional<SegmentView> oldest = log_->OldestSegment();
      if (!oldest) return false;
      if (segment_ != 0 && oldest->first_seq <= segment_)
        return false;  // cannot happen; avoid spinning
      MoveTo(oldest->first_seq);
      continue;
    }
    if (offset_ >= seg->bytes) {
      if (!seg->corruption.ok()) return seg->corruption;
      if (seg->active) return false;  // caught up with the durable end
      std::optional<SegmentView> next = log_->SegmentAfter(segment_);
      if (!next) return false;
      MoveTo(next->first_seq);
      continue;
    }
    if (!file_) {
      Result<std::unique_ptr<ReadableFile>> f =
          log_->fs()->OpenReadable(log_->SegmentPath(segment_));
      if (!f.ok()) {
        if (f.status().kind() == ErrorKind::kNotFound && !log_->FindSegment(segment_)) continue;
        return f.status();
      }
      file_ = std::move(*f);
    }
    // Header first: batches wholly before the start position are skipped
    // without reading their bodies.
    Result<BatchHeader> h = ReadBatchAt(*file_, offset_, seg->bytes, /*with_body=*/false, buf_);
    if (!h.ok())
      return Status::Corruption(log_->SegmentPath(segment_) + ": " + h.status().message());
    uint64_t batch_offset = offset_;
    if (h->last_seq() < min_seq_ || (arrival_filter_ && h->max_arrival_ms < min_arrival_ms_)) {
      offset_ += h->total_size();
      continue;
    }
    h = ReadBatchAt(*file_, batch_offset, seg->bytes, /*with_body=*/true, buf_);
    if (!h.ok())
      return Status::Corruption(log_->SegmentPath(segment_) + ": " + h.status().message());
    std::string_view body = std::string_view(buf_).substr(log_format::kBatchHeaderSize);
    Status s = decoder_.Decode(*h, body, [&](const RecordView& r) {
      if (r.seq.u64() < min_seq_) return;
      if (arrival_filter_) {
        if (r.arrival_ms < min_arrival_ms_) return;
        arrival_filter_ = false;  // first match: everything after it is wanted
      }
      pending_.push_back(r);
    });
    if (!s.ok()) {
      pending_.clear();
      return Status::Corruption(log_->SegmentPath(segment_) + ": " + s.message());
    }
    offset_ = batch_offset + h->total_size();
    if (!pending_.empty()) {
      min_seq_ = pending_.back().seq.u64() + 1;
      return true;
    }
  }
}

}  // namespace mailpulse
