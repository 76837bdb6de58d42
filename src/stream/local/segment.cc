#include "stream/local/segment.h"

#include <algorithm>
#include <cstdio>

namespace mailpulse {

std::string SegmentFileName(uint64_t first_seq) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%020llu%s", static_cast<unsigned long long>(first_seq),
                log_format::kSegmentSuffix);
  return buf;
}

bool ParseSegmentFileName(std::string_view name, uint64_t& first_seq) {
  std::string_view suffix = log_format::kSegmentSuffix;
  if (name.size() != log_format::kSegmentNameDigits + suffix.size()) return false;
  if (name.substr(log_format::kSegmentNameDigits) != suffix) return false;
  uint64_t v = 0;
  for (int i = 0; i < log_format::kSegmentNameDigits; ++i) {
    char c = name[static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  first_seq = v;
  return true;
}

Result<BatchHeader> ReadBatchAt(const ReadableFile& f, uint64_t offset, uint64_t limit,
                                bool with_body, std::string& buf) {
  using log_format::kBatchHeaderSize;
  if (offset > limit || limit - offset < kBatchHeaderSize) {
    return Status::Corruption("truncated batch header at offset " + std::to_string(offset));
  }
  buf.resize(kBatchHeaderSize);
  MP_ASSIGN_OR_RETURN(size_t n, f.ReadAt(offset, kBatchHeaderSize, buf.data()));
  if (n != kBatchHeaderSize) {
    return Status::Corruption("truncated batch header at offset " + std::to_string(offset));
  }
  Result<BatchHeader> h = ParseBatchHeader(buf);
  if (!h.ok()) {
    return Status::Corruption(h.status().message() + " at offset " + std::to_string(offset));
  }
  if (limit - offset - kBatchHeaderSize < h->body_len) {
    return Status::Corruption("truncated batch body at offset " + std::to_string(offset));
  }
  if (!with_body) return h;
  buf.resize(kBatchHeaderSize + h->body_len);
  MP_ASSIGN_OR_RETURN(
      n, f.ReadAt(offset + kBatchHeaderSize, h->body_len, buf.data() + kBatchHeaderSize));
  if (n != h->body_len) {
    return Status::Corruption("truncated batch body at offset " + std::to_string(offset));
  }
  std::string_view all = buf;
  Status crc = VerifyBatchCrc(all.substr(0, kBatchHeaderSize), all.substr(kBatchHeaderSize));
  if (!crc.ok()) return Status::Corruption(crc.message() + " at offset " + std::to_string(offset));
  return h;
}

Result<SegmentScan> ScanSegment(const ReadableFile& f, uint64_t expected_seq, bool verify_bodies) {
  SegmentScan scan;
  MP_ASSIGN_OR_RETURN(scan.file_bytes, f.Size());
  std::string buf;
  BatchDecoder decoder;
  uint64_t offset = 0;
  while (offset < scan.file_bytes) {
    Result<BatchHeader> h = ReadBatchAt(f, offset, scan.file_bytes, verify_bodies, buf);
    if (!h.ok()) {
      if (h.status().kind() != ErrorKind::kCorruption) return h.status();  // I/O
      scan.stop = h.status();
      break;
    }
    if (h->base_seq != expected_seq) {
      scan.stop = Status::Corruption("batch at offset " + std::to_string(offset) +
                                     " starts at seq " + std::to_string(h->base_seq) +
                                     ", expected " + std::to_string(expected_seq));
      break;
    }
    if (verify_bodies) {
      std::string_view body = std::string_view(buf).substr(log_format::kBatchHeaderSize);
      Status s = decoder.Decode(*h, body, [](const RecordView&) {});
      if (!s.ok()) {
        scan.stop = Status::Corruption(s.message() + " at offset " + std::to_string(offset));
        break;
      }
    }
    if (scan.first_seq == 0) scan.first_seq = h->base_seq;
    scan.last_seq = h->last_seq();
    scan.records += h->record_count;
    scan.min_arrival_ms = std::min(scan.min_arrival_ms, h->min_arrival_ms);
    scan.max_arrival_ms = std::max(scan.max_arrival_ms, h->max_arrival_ms);
    expected_seq = h->last_seq() + 1;
    offset += h->total_size();
    scan.valid_bytes = offset;
  }
  return scan;
}

}  // namespace mailpulse
