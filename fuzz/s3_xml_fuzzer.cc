// Fuzzes the S3 XML readers (untrusted bytes from the network): the response
// parsers (ListObjectsV2, InitiateMultipartUpload, Error documents), entity
// decoding, the status mapping, and S3 Select's request document and
// event-stream decoder. Must never crash; escaping must round-trip; a parsed
// Select request holds what its limits allow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/s3select/event_stream.h"
#include "query/s3select/select_request.h"
#include "storage/s3/s3_protocol.h"

using namespace mailpulse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Result<ListObjectsV2Result> list = ParseListObjectsV2(in);
  if (list.ok() && list->is_truncated && list->next_continuation_token.empty()) std::abort();
  (void)ParseInitiateMultipartUpload(in);
  (void)ParseS3Error(in);
  (void)XmlUnescape(in);
  Result<std::string> round = XmlUnescape(XmlEscape(in));
  if (!round.ok() || *round != in) std::abort();
  long status = size == 0 ? 200 : 100 + static_cast<long>(data[0]) * 2;
  (void)S3StatusFromResponse(status, in, "fuzz");
  SelectRequest select;
  if (!ParseSelectRequest(in, &select)) {
    if (select.expression.empty() || select.expression.size() > kMaxSelectExpressionBytes)
      std::abort();
  }
  (void)DecodeEventStream(in);
  return 0;
}
