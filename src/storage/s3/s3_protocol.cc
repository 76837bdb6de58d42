#include "storage/s3/s3_protocol.h"

#include <charconv>

namespace mailpulse {
namespace {

// Finds the elements <name ...>inner</name> (or <name/>) in `xml` from `pos`;
// each call returns the next one's inner text. Returns false at the end,
// and sets *malformed on an unterminated element.
class ElementScanner {
 public:
  ElementScanner(std::string_view xml, std::string_view name) : xml_(xml), name_(name) {}

  bool Next(std::string_view* inner, bool* malformed) {
    while (pos_ < xml_.size()) {
      size_t lt = xml_.find('<', pos_);
      if (lt == std::string_view::npos) break;
      size_t after = lt + 1 + name_.size();
      if (xml_.compare(lt + 1, name_.size(), name_) != 0 || after >= xml_.size() ||
          (xml_[after] != '>' && xml_[after] != '/' && xml_[after] != ' ' && xml_[after] != '\t' &&
           xml_[after] != '\r' && xml_[after] != '\n')) {
        pos_ = lt + 1;
        continue;
      }
      size_t gt = xml_.find('>', after);
      if (gt == std::string_view::npos) {
        *malformed = true;
        return false;
      }
      if (xml_[gt - 1] == '/') {  // <name/>
        *inner = std::string_view();
        pos_ = gt + 1;
        return true;
      }
      std::string close = "</" + std::string(name_) + ">";
      size_t end = xml_.find(close, gt + 1);
      if (end == std::string_view::npos) {
        *malformed = true;
        return false;
      }
      *inner = xml_.substr(gt + 1, end - gt - 1);
      pos_ = end + close.size();
      return true;
    }
    return false;
  }

 private:
  std::string_view xml_;
  std::string_view name_;
  size_t pos_ = 0;
};

// Decoded text of the first <name> in xml; nullopt if absent.
Result<std::optional<std::string>> FirstText(std::string_view xml, std::string_view name) {
  ElementScanner scan(xml, name);
  std::string_view inner;
  bool malformed = false;
  if (!scan.Next(&inner, &malformed)) {
    if (malformed)
      return Status::Fail("malformed S3 XML: unterminated <" + std::string(name) + ">");
    return std::optional<std::string>();
  }
  MP_ASSIGN_OR_RETURN(std::string text, XmlUnescape(inner));
  return std::optional<std::string>(std::move(text));
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsRetryableCode(std::string_view code) {
  for (std::string_view c :
       {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "RequestTimeTooSkewed",
        "OperationAborted", "Throttling", "ThrottlingException"}) {
    if (code == c) return true;
  }
  return false;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Result<std::string> XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12)
      return Status::Fail("malformed S3 XML: bad entity");
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    i = semi;
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() >= 2 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [p, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || cp == 0 ||
          cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return Status::Fail("malformed S3 XML: bad character reference &" + std::string(ent) + ";");
      }
      AppendUtf8(cp, &out);
    } else {
      return Status::Fail("malformed S3 XML: unknown entity &" + std::string(ent) + ";");
    }
  }
  return out;
}

std::optional<S3ErrorInfo> ParseS3Error(std::string_view body) {
  ElementScanner scan(body, "Error");
  std::string_view inner;
  bool malformed = false;
  if (!scan.Next(&inner, &malformed)) return std::nullopt;
  S3ErrorInfo info;
  auto text = [&](std::string_view name) {
    Result<std::optional<std::string>> r = FirstText(inner, name);
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
    MP_ASSIGN_OR_RETURN(std::optional<std::string> key, FirstText(inner, "Key"));
    MP_ASSIGN_OR_RETURN(std::optional<std::string> size, FirstText(inner, "Size"));
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
  MP_ASSIGN_OR_RETURN(std::optional<std::string> truncated, FirstText(body, "IsTruncated"));
  out.is_truncated = truncated.value_or(std::string()) == "true";
  MP_ASSIGN_OR_RETURN(std::optional<std::string> token, FirstText(body, "NextContinuationToken"));
  if (token) out.next_continuation_token = std::move(*token);
  if (out.is_truncated && out.next_continuation_token.empty()) {
    return Status::Fail("malformed S3 XML: truncated listing without <NextContinuationToken>");
  }
  return out;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  MP_ASSIGN_OR_RETURN(std::optional<std::string> id, FirstText(body, "UploadId"));
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
