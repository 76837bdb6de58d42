#include "storage/s3/s3_protocol.h"

#include <charconv>

#include "common/xml_text.h"

namespace mailpulse {
namespace {

bool IsRetryableCode(std::string_view code) {
  for (std::string_view c :
       {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "RequestTimeTooSkewed",
        "OperationAborted", "Throttling", "ThrottlingException"}) {
    if (code == c) return true;
  }
  return false;
}

}  // namespace

std::optional<S3ErrorInfo> ParseS3Error(std::string_view body) {
  ElementScanner scan(body, "Error");
  std::string_view inner;
  bool malformed = false;
  if (!scan.Next(&inner, &malformed)) return std::nullopt;
  S3ErrorInfo info;
  auto text = [&](std::string_view name) {
    Result<std::optional<std::string>> r = FirstXmlText(inner, name);
    return r.ok() && r->has_value() ? **r : std::string();
  };
  info.code = text("Code");
  info.message = text("Message");
  info.request_id = text("RequestId");
  return info;
}

Result<ListObjectsV2Result> ParseListObjectsV2(std::string_view body) {
  if (body.find("<ListBucketResult") == std::string_view::npos) {
    return Status::Fail("malformed S3 XML: no <ListBucketResult>");
  }
  ListObjectsV2Result out;
  ElementScanner scan(body, "Contents");
  std::string_view inner;
  bool malformed = false;
  while (scan.Next(&inner, &malformed)) {
    MP_ASSIGN_OR_RETURN(std::optional<std::string> key, FirstXmlText(inner, "Key"));
    MP_ASSIGN_OR_RETURN(std::optional<std::string> size, FirstXmlText(inner, "Size"));
    if (!key || key->empty()) return Status::Fail("malformed S3 XML: <Contents> without <Key>");
    uint64_t n = 0;
    if (size) {
      auto [p, ec] = std::from_chars(size->data(), size->data() + size->size(), n);
      if (ec != std::errc() || p != size->data() + size->size()) {
        return Status::Fail("malformed S3 XML: bad <Size> " + *size);
      }
    }
    out.contents.push_back({std::move(*key), n});
  }
  if (malformed) return Status::Fail("malformed S3 XML: unterminated <Contents>");
  MP_ASSIGN_OR_RETURN(std::optional<std::string> truncated, FirstXmlText(body, "IsTruncated"));
  out.is_truncated = truncated.value_or(std::string()) == "true";
  MP_ASSIGN_OR_RETURN(std::optional<std::string> token,
                      FirstXmlText(body, "NextContinuationToken"));
  if (token) out.next_continuation_token = std::move(*token);
  if (out.is_truncated && out.next_continuation_token.empty()) {
    return Status::Fail("malformed S3 XML: truncated listing without <NextContinuationToken>");
  }
  return out;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  MP_ASSIGN_OR_RETURN(std::optional<std::string> id, FirstXmlText(body, "UploadId"));
  if (!id || id->empty()) return Status::Fail("malformed S3 XML: no <UploadId>");
  return std::move(*id);
}

Status S3StatusFromResponse(long http_status, std::string_view body, std::string_view context) {
  if (http_status >= 200 && http_status < 300) return Status::Ok();
  std::optional<S3ErrorInfo> err = ParseS3Error(body);
  std::string msg = std::string(context) + ": HTTP " + std::to_string(http_status);
  if (err) {
    if (!err->code.empty()) msg += " " + err->code;
    if (!err->message.empty()) msg += ": " + err->message;
    if (!err->request_id.empty()) msg += " (request id " + err->request_id + ")";
  }
  const std::string code = err ? err->code : std::string();
  if (http_status >= 500 || http_status == 408 || http_status == 429 || IsRetryableCode(code)) {
    return Status::Retry(std::move(msg));
  }
  if (http_status == 404 && (code.empty() || code == "NoSuchKey" || code == "NoSuchUpload")) {
    return Status::NotFound(std::move(msg));
  }
  if (http_status == 401 || http_status == 403) return Status::Forbidden(std::move(msg));
  if (http_status == 416) return Status::Invalid(std::move(msg));
  return Status::Fail(std::move(msg));
}

}  // namespace mailpulse
