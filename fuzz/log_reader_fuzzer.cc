// Arbitrary bytes as a stream log segment (docs/formats/stream-log.md): the
// recovery scan and the batch reader must never crash, never read outside
// the input, and agree on how many whole, valid batches the bytes start with.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/file_system.h"
#include "stream/local/record_batch.h"
#include "stream/local/segment.h"

namespace {

class MemoryFile final : public mailpulse::ReadableFile {
 public:
  explicit MemoryFile(std::string_view data) : data_(data) {}
  mailpulse::Result<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    if (offset >= data_.size()) return size_t{0};
    size_t got = std::min(n, data_.size() - static_cast<size_t>(offset));
    std::memcpy(scratch, data_.data() + offset, got);
    return got;
  }
  mailpulse::Result<uint64_t> Size() const override { return data_.size(); }

 private:
  std::string_view data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailpulse;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  MemoryFile file(bytes);

  // Expected first sequence number: taken from the first batch header when
  // there is one, so valid inputs get past the continuity check.
  uint64_t first = 1;
  if (size >= 32) std::memcpy(&first, data + 24, 8);

  auto scan = ScanSegment(file, first, /*verify_bodies=*/true);
  if (!scan.ok()) std::abort();  // memory files have no I/O errors
  if (scan->valid_bytes > size) std::abort();

  // Walk the valid prefix the way a reader does and count records.
  static BatchDecoder decoder;
  std::string buf;
  uint64_t offset = 0, records = 0;
  while (offset < scan->valid_bytes) {
    auto h = ReadBatchAt(file, offset, scan->valid_bytes, /*with_body=*/true, buf);
    if (!h.ok()) std::abort();  // the scan said this prefix is valid
    Status s = decoder.Decode(*h, std::string_view(buf).substr(log_format::kBatchHeaderSize),
                              [&](const RecordView& r) {
                                if (r.key.size() + r.payload.size() > h->raw_len) std::abort();
                                ++records;
                              });
    if (!s.ok()) std::abort();
    offset += h->total_size();
  }
  if (offset != scan->valid_bytes || records != scan->records) std::abort();
  return 0;
}
