// LogReader: reads one shard of the embedded stream in sequence order
// (Kinesis' shard iterator + GetRecords).
//
// Sees only durable records: it never reads past the length the writer
// published after its fdatasync. Follows segment rolls; if retention deletes
// the segment it is in, it continues from the oldest remaining record. At a
// corrupt batch inside a sealed segment Read returns kCorruption (and keeps
// returning it) instead of skipping.
//
// Not thread-safe (one per consumer thread). The ShardLog must outlive it.
#pragma once

#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "stream/local/record_batch.h"
#include "stream/local/shard_log.h"
#include "stream/stream.h"

namespace mailpulse {

class LogReader final : public StreamReader {
 public:
  LogReader(ShardLog* log, StartPosition start);
  Result<std::vector<StreamRecord>> Read(size_t max_records, size_t max_bytes) override;
  Status ReadInto(std::vector<StreamRecord>* out, size_t max_records, size_t max_bytes) override;

 private:
  // Decodes the next batch with wanted records into pending_ (views into
  // the decoder's or buf_'s bytes, valid until the next fetch); false when
  // caught up.
  Result<bool> FetchBatch();
  void MoveTo(uint64_t segment_first_seq);

  ShardLog* log_;
  uint64_t segment_ = 0;  // first_seq of the current segment; 0 = not positioned
  uint64_t offset_ = 0;
  std::unique_ptr<ReadableFile> file_;
  uint64_t min_seq_ = 0;         // records below this are skipped (AT/AFTER/LATEST)
  bool arrival_filter_ = false;  // AT_TIMESTAMP until the first match
  int64_t min_arrival_ms_ = INT64_MIN;
  std::string buf_;
  BatchDecoder decoder_;
  std::vector<RecordView> pending_;
  size_t pending_pos_ = 0;
};

}  // namespace mailpulse
