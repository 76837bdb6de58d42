#include "stream/local/record_batch.h"

#include <zstd.h>

#include <algorithm>

#include "common/coding.h"
#include "common/crc32c.h"

namespace mailpulse {

using log_format::Codec;
using log_format::kBatchHeaderSize;
using log_format::kCrcCoveredOffset;

Result<BatchHeader> ParseBatchHeader(std::string_view in) {
  if (in.size() < kBatchHeaderSize) return Status::Corruption("short batch header");
  const char* p = in.data();
  if (DecodeFixed32(p) != log_format::kBatchMagic) return Status::Corruption("bad batch magic");
  BatchHeader h;
  h.crc = DecodeFixed32(p + 4);
  h.version = static_cast<uint8_t>(p[8]);
  auto codec = static_cast<uint8_t>(p[9]);
  h.flags = DecodeFixed16(p + 10);
  h.body_len = DecodeFixed32(p + 12);
  h.raw_len = DecodeFixed32(p + 16);
  h.record_count = DecodeFixed32(p + 20);
  h.base_seq = DecodeFixed64(p + 24);
  h.min_arrival_ms = static_cast<int64_t>(DecodeFixed64(p + 32));
  h.max_arrival_ms = static_cast<int64_t>(DecodeFixed64(p + 40));
  if (h.version != log_format::kFormatVersion) {
    return Status::Corruption("unsupported batch version " + std::to_string(h.version));
  }
  if (codec > static_cast<uint8_t>(Codec::kZstd)) return Status::Corruption("unknown batch codec");
  h.codec = static_cast<Codec>(codec);
  if (h.flags != 0) return Status::Corruption("unknown batch flags");
  if (h.record_count == 0) return Status::Corruption("empty batch");
  if (h.base_seq == 0 || h.base_seq + h.record_count < h.base_seq) {
    return Status::Corruption("bad batch sequence range");
  }
  if (h.raw_len > log_format::kMaxBatchRawBytes || h.body_len > log_format::kMaxBatchRawBytes) {
    return Status::Corruption("batch length over limit");
  }
  if (h.codec == Codec::kNone && h.raw_len != h.body_len) {
    return Status::Corruption("raw batch length mismatch");
  }
  // Each record needs at least 3 varint bytes.
  if (static_cast<uint64_t>(h.record_count) * 3 > h.raw_len) {
    return Status::Corruption("batch record count exceeds its length");
  }
  if (h.min_arrival_ms > h.max_arrival_ms) return Status::Corruption("bad batch arrival range");
  return h;
}

Status VerifyBatchCrc(std::string_view header, std::string_view body) {
  uint32_t expected = DecodeFixed32(header.data() + 4);
  uint32_t crc =
      crc32c::Value(header.data() + kCrcCoveredOffset, kBatchHeaderSize - kCrcCoveredOffset);
  crc = crc32c::Extend(crc, body.data(), body.size());
  if (crc != expected) return Status::Corruption("batch checksum mismatch");
  return Status::Ok();
}

BatchDecoder::BatchDecoder() : dctx_(ZSTD_createDCtx()) {}
BatchDecoder::~BatchDecoder() { ZSTD_freeDCtx(dctx_); }

Status BatchDecoder::Decode(const BatchHeader& h, std::string_view body,
                            const std::function<void(const RecordView&)>& fn) {
  if (body.size() != h.body_len) return Status::Corruption("batch body length mismatch");
  std::string_view in = body;
  if (h.codec == Codec::kZstd) {
    raw_.resize(h.raw_len);
    size_t n = ZSTD_decompressDCtx(dctx_, raw_.data(), raw_.size(), body.data(), body.size());
    if (ZSTD_isError(n) || n != h.raw_len) return Status::Corruption("batch does not decompress");
    in = raw_;
  }
  // Validate everything before the first callback, so a consumer never sees
  // half a corrupt batch.
  for (int pass = 0; pass < 2; ++pass) {
    std::string_view cur = in;
    for (uint32_t i = 0; i < h.record_count; ++i) {
      uint32_t klen = 0, plen = 0;
      uint64_t delta = 0;
      if (!GetVarint32(cur, klen) || !GetVarint32(cur, plen) || !GetVarint64(cur, delta)) {
        return Status::Corruption("bad record header in batch");
      }
      if (static_cast<uint64_t>(klen) + plen > cur.size())
        return Status::Corruption("record overruns batch");
      auto span = static_cast<uint64_t>(h.max_arrival_ms) - static_cast<uint64_t>(h.min_arrival_ms);
      if (delta > span) return Status::Corruption("record arrival outside batch range");
      if (pass == 1) {
        RecordView r{SequenceNumber(h.base_seq + i),
                     static_cast<UnixMillis>(static_cast<uint64_t>(h.min_arrival_ms) + delta),
                     cur.substr(0, klen), cur.substr(klen, plen)};
        fn(r);
      }
      cur.remove_prefix(static_cast<size_t>(klen) + plen);
    }
    if (!cur.empty()) return Status::Corruption("trailing bytes in batch");
  }
  return Status::Ok();
}

BatchEncoder::BatchEncoder(int compression_level)
    : level_(compression_level), cctx_(level_ != 0 ? ZSTD_createCCtx() : nullptr) {}

BatchEncoder::~BatchEncoder() {
  if (cctx_ != nullptr) ZSTD_freeCCtx(cctx_);
}

void BatchEncoder::Begin(uint64_t base_seq) {
  base_seq_ = base_seq;
  count_ = 0;
  raw_estimate_ = 0;
  arrivals_.clear();
  keys_.clear();
  payloads_.clear();
}

void BatchEncoder::Add(std::string_view key, std::string_view payload, UnixMillis arrival_ms) {
  keys_.push_back(key);
  payloads_.push_back(payload);
  arrivals_.push_back(arrival_ms);
  raw_estimate_ += key.size() + payload.size() + 15;
  ++count_;
}

Status BatchEncoder::Finish(std::string& out) {
  if (count_ == 0) return Status::Invalid("empty batch");
  auto [mn, mx] = std::minmax_element(arrivals_.begin(), arrivals_.end());
  int64_t min_arrival = *mn, max_arrival = *mx;

  raw_.clear();
  raw_.reserve(raw_estimate_);
  char buf[30];
  for (uint32_t i = 0; i < count_; ++i) {
    int n = EncodeVarint64To(buf, keys_[i].size());
    n += EncodeVarint64To(buf + n, payloads_[i].size());
    n += EncodeVarint64To(buf + n,
                          static_cast<uint64_t>(arrivals_[i]) - static_cast<uint64_t>(min_arrival));
    raw_.append(buf, static_cast<size_t>(n));
    raw_.append(keys_[i]);
    raw_.append(payloads_[i]);
  }
  if (raw_.size() > log_format::kMaxBatchRawBytes) {
    return Status::Invalid("records too large for one batch (" + std::to_string(raw_.size()) +
                           " bytes)");
  }

  size_t start = out.size();
  Codec codec = Codec::kNone;
  size_t body_len = raw_.size();
  if (cctx_ != nullptr) {
    size_t bound = ZSTD_compressBound(raw_.size());
    out.resize(start + kBatchHeaderSize + bound);
    size_t n = ZSTD_compressCCtx(cctx_, out.data() + start + kBatchHeaderSize, bound, raw_.data(),
                                 raw_.size(), level_);
    if (ZSTD_isError(n)) {
      out.resize(start);
      return Status::Fail(std::string("zstd compress: ") + ZSTD_getErrorName(n));
    }
    if (n < raw_.size()) {
      codec = Codec::kZstd;
      body_len = n;
    }
  }
  out.resize(start + kBatchHeaderSize + body_len);
  char* h = out.data() + start;
  if (codec == Codec::kNone) std::memcpy(h + kBatchHeaderSize, raw_.data(), raw_.size());
  EncodeFixed32(h, log_format::kBatchMagic);
  h[8] = static_cast<char>(log_format::kFormatVersion);
  h[9] = static_cast<char>(codec);
  EncodeFixed16(h + 10, 0);
  EncodeFixed32(h + 12, static_cast<uint32_t>(body_len));
  EncodeFixed32(h + 16, static_cast<uint32_t>(raw_.size()));
  EncodeFixed32(h + 20, count_);
  EncodeFixed64(h + 24, base_seq_);
  EncodeFixed64(h + 32, static_cast<uint64_t>(min_arrival));
  EncodeFixed64(h + 40, static_cast<uint64_t>(max_arrival));
  uint32_t crc =
      crc32c::Value(h + kCrcCoveredOffset, kBatchHeaderSize - kCrcCoveredOffset + body_len);
  EncodeFixed32(h + 4, crc);
  Begin(base_seq_ + count_);
  return Status::Ok();
}

}  // namespace mailpulse
