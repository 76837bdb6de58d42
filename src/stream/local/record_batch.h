// Record batches: the unit of the stream log's framing, compression and CRC
// (docs/formats/stream-log.md, "Segment = a sequence of batches").
//
// BatchEncoder is the write path: it lives in one shard writer, keeps its
// zstd context and buffers across batches, and appends finished batches to
// an output string the caller reuses, so steady-state encoding allocates
// nothing per record. Not thread-safe.
//
// ParseBatchHeader / DecodeBatchBody are the read path; they validate every
// length against the bytes actually present and never trust a count before
// checking it, since they read untrusted (possibly torn or corrupt) files.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "stream/local/log_format.h"
#include "stream/stream.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace mailpulse {

struct BatchHeader {
  uint32_t crc = 0;
  uint8_t version = 0;
  log_format::Codec codec = log_format::Codec::kNone;
  uint16_t flags = 0;
  uint32_t body_len = 0;
  uint32_t raw_len = 0;
  uint32_t record_count = 0;
  uint64_t base_seq = 0;
  int64_t min_arrival_ms = 0;
  int64_t max_arrival_ms = 0;

  uint64_t last_seq() const { return base_seq + record_count - 1; }
  uint64_t total_size() const { return log_format::kBatchHeaderSize + body_len; }
};

// Validates the fixed fields (magic, version, codec, flags, counts, length
// caps) of a 48-byte header; does not check the CRC (that needs the body).
Result<BatchHeader> ParseBatchHeader(std::string_view header);
// Checks the CRC of header+body.
Status VerifyBatchCrc(std::string_view header, std::string_view body);

// One decoded record; the views point into the decoder's buffer or the body
// and are valid until the next decode call.
struct RecordView {
  SequenceNumber seq;
  UnixMillis arrival_ms;
  std::string_view key;
  std::string_view payload;
};

// Decompresses (if needed) and walks the records of a CRC-checked batch.
// Keeps a zstd context and a scratch buffer between calls. Not thread-safe.
class BatchDecoder {
 public:
  BatchDecoder();
  ~BatchDecoder();
  BatchDecoder(const BatchDecoder&) = delete;
  BatchDecoder& operator=(const BatchDecoder&) = delete;

  // Calls fn for each record in order; Corruption if the body is malformed.
  Status Decode(const BatchHeader& h, std::string_view body,
                const std::function<void(const RecordView&)>& fn);

 private:
  ZSTD_DCtx_s* dctx_;
  std::string raw_;
};

class BatchEncoder {
 public:
  // level 0 stores bodies uncompressed; other values are zstd levels.
  explicit BatchEncoder(int compression_level);
  ~BatchEncoder();
  BatchEncoder(const BatchEncoder&) = delete;
  BatchEncoder& operator=(const BatchEncoder&) = delete;

  // Starts a batch whose first record gets base_seq (discarding any open one).
  void Begin(uint64_t base_seq);
  void Add(std::string_view key, std::string_view payload, UnixMillis arrival_ms);
  uint32_t record_count() const { return count_; }
  // Raw (uncompressed) body bytes so far, an upper-bound estimate.
  size_t raw_size() const { return raw_estimate_; }
  // Appends the framed batch to out. Requires record_count() > 0.
  Status Finish(std::string& out);

 private:
  int level_;
  ZSTD_CCtx_s* cctx_;
  std::string raw_;
  uint64_t base_seq_ = 0;
  uint32_t count_ = 0;
  size_t raw_estimate_ = 0;
  // Arrival times are stored as deltas from the batch minimum, which is only
  // known at Finish; records are first written with absolute times into
  // arrivals_ and encoded when the batch closes.
  std::vector<int64_t> arrivals_;
  std::vector<std::string_view> keys_;
  std::vector<std::string_view> payloads_;
};

}  // namespace mailpulse
