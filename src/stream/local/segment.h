// Segment files: naming and the batch walk shared by recovery, readers and
// the fuzzer (docs/formats/stream-log.md, "Recovery").
//
// Stateless functions over a ReadableFile; thread-safe as the file is.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "stream/local/record_batch.h"

namespace mailpulse {

// "00000000000000000001.seg" for first_seq 1.
std::string SegmentFileName(uint64_t first_seq);
// Inverse of SegmentFileName; false for any other name.
bool ParseSegmentFileName(std::string_view name, uint64_t& first_seq);

// Reads the batch at `offset`, which must end at or before `limit`.
// Fills `header_and_body` with its bytes (header only when !with_body).
// Corruption when the batch is torn (crosses limit) or malformed; with_body
// also verifies the CRC.
Result<BatchHeader> ReadBatchAt(const ReadableFile& f, uint64_t offset, uint64_t limit,
                                bool with_body, std::string& header_and_body);

// What a walk over a segment found.
struct SegmentScan {
  uint64_t file_bytes = 0;
  uint64_t valid_bytes = 0;  // length of the prefix of whole, valid batches
  uint64_t first_seq = 0;    // 0 when the valid prefix holds no batch
  uint64_t last_seq = 0;
  uint64_t records = 0;
  int64_t min_arrival_ms = INT64_MAX;
  int64_t max_arrival_ms = INT64_MIN;
  Status stop;  // why the walk ended before file_bytes; ok when it reached the end
};

// Walks the batches of a segment whose first record must be expected_seq.
// verify_bodies: also read, CRC-check and decode every body (recovery of the
// last segment, the fuzzer); otherwise only headers are read. Returns a
// non-ok Result only for I/O errors; format problems land in scan.stop.
Result<SegmentScan> ScanSegment(const ReadableFile& f, uint64_t expected_seq, bool verify_bodies);

}  // namespace mailpulse
