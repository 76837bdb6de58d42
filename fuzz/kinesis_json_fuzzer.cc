// Fuzzes the Kinesis JSON 1.1 response readers (untrusted bytes from the
// network): PutRecords, GetShardIterator, GetRecords (base64 Data,
// timestamps), ListShards, DescribeStreamSummary, the error envelope and the
// status mapping. Must never crash; a parsed GetRecords record always has a
// sequence number.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stream/kinesis/kinesis_protocol.h"

using namespace mailpulse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)ParsePutRecords(in);
  (void)ParseGetShardIterator(in);
  Result<GetRecordsOutput> got = ParseGetRecords(in);
  if (got.ok()) {
    for (const KinesisRecord& r : got->records)
      if (r.sequence_number.empty()) std::abort();
  }
  (void)ParseListShards(in);
  (void)ParseDescribeStreamSummary(in);
  KinesisError e = ParseKinesisError(size > 0 && data[0] == 'X' ? in.substr(1, 40) : "", in);
  long status = size == 0 ? 200 : 100 + static_cast<long>(data[0]) * 2;
  (void)KinesisStatus(status, e, "PutRecords", "fuzz");
  (void)ShardIdFromName(in);
  return 0;
}
