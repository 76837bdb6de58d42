// The S3 REST protocol's response side: the few XML documents mailpulse reads
// (ListObjectsV2, CreateMultipartUpload, Error), XML text escaping, and the
// one mapping from an HTTP status + S3 error Code to a Status.
//
// XML is read with common/xml_text.h (minimal and exact for S3's flat
// documents). Input is untrusted (fuzz/s3_xml_fuzzer.cc): malformed documents
// give kFail, never a crash. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/xml_text.h"  // XmlEscape, XmlUnescape
#include "storage/object_store.h"

namespace mailpulse {

struct S3ErrorInfo {
  std::string code;  // e.g. "NoSuchKey", "SlowDown"
  std::string message;
  std::string request_id;
};

struct ListObjectsV2Result {
  std::vector<ObjectInfo> contents;  // keys as stored (the store prefix not yet removed)
  bool is_truncated = false;
  std::string next_continuation_token;
};

// The <Error> document, or nullopt when body is not one.
std::optional<S3ErrorInfo> ParseS3Error(std::string_view body);
Result<ListObjectsV2Result> ParseListObjectsV2(std::string_view body);
// The UploadId of an InitiateMultipartUploadResult.
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);

// Status for a finished HTTP exchange (ok for 2xx). kRetry: 5xx, 408, 429 and
// the retryable S3 codes (SlowDown, RequestTimeout, InternalError, ...);
// kNotFound: 404 NoSuchKey/NoSuchUpload or a body-less 404; kForbidden: 401/403
// (AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId); kInvalid: 416;
// kFail: every other 4xx (NoSuchBucket included: a configuration error).
// The message names `context`, the status, the S3 Code and Message.
Status S3StatusFromResponse(long http_status, std::string_view body, std::string_view context);

}  // namespace mailpulse
