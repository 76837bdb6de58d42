#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace mailpulse {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk:
      return "ok";
    case ErrorKind::kRetry:
      return "retry";
    case ErrorKind::kFail:
      return "fail";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kInvalid:
      return "invalid";
    case ErrorKind::kCorruption:
      return "corruption";
    case ErrorKind::kUnauthorized:
      return "unauthorized";
    case ErrorKind::kForbidden:
      return "forbidden";
  }
  return "unknown";
}

Status Status::FromErrno(int err, const std::string& context) {
  std::string msg = context + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return NotFound(std::move(msg));
    case ENOSPC:
    case EDQUOT:
    case EAGAIN:
    case EINTR:
    case EIO:
    case EMFILE:
    case ENFILE:
      return Retry(std::move(msg));
    default:
      return Fail(std::move(msg));
  }
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorKindName(kind_)) + ": " + message_;
}

}  // namespace mailpulse
