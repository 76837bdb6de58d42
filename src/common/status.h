// Status and Result<T>: errors as values that tell the caller what to do.
//
// Every fallible call in mailpulse returns one of these. The ErrorKind is the
// decision the caller needs (retry later, give up, not found, bad input),
// not the mechanism that failed; the message carries the detail for humans.
// Exceptions never cross a stage boundary: where a library throws, the call
// site converts to a Status.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace mailpulse {

enum class ErrorKind {
  kOk = 0,
  kRetry,         // transient: the same call may succeed later (I/O busy, budget full, remote 5xx)
  kFail,          // permanent for this input or state: retrying will not help
  kNotFound,      // the thing asked for does not exist
  kInvalid,       // the caller's input is malformed
  kCorruption,    // stored bytes do not match their checksum or framing
  kUnauthorized,  // credentials missing
  kForbidden,     // credentials present but wrong
};

const char* ErrorKindName(ErrorKind kind);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Retry(std::string m) { return {ErrorKind::kRetry, std::move(m)}; }
  static Status Fail(std::string m) { return {ErrorKind::kFail, std::move(m)}; }
  static Status NotFound(std::string m) { return {ErrorKind::kNotFound, std::move(m)}; }
  static Status Invalid(std::string m) { return {ErrorKind::kInvalid, std::move(m)}; }
  static Status Corruption(std::string m) { return {ErrorKind::kCorruption, std::move(m)}; }
  static Status Unauthorized(std::string m) { return {ErrorKind::kUnauthorized, std::move(m)}; }
  static Status Forbidden(std::string m) { return {ErrorKind::kForbidden, std::move(m)}; }
  // errno-based I/O failure; ENOSPC/EAGAIN/EINTR/EIO map to kRetry, ENOENT to kNotFound.
  static Status FromErrno(int err, const std::string& context);

  bool ok() const { return kind_ == ErrorKind::kOk; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  ErrorKind kind_ = ErrorKind::kOk;
  std::string message_;
};

// Result<T>: a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mailpulse

// Propagate a non-ok Status from an expression returning Status.
#define MP_RETURN_IF_ERROR(expr)        \
  do {                                  \
    ::mailpulse::Status mp_s_ = (expr); \
    if (!mp_s_.ok()) return mp_s_;      \
  } while (0)

#define MP_CONCAT_INNER_(a, b) a##b
#define MP_CONCAT_(a, b) MP_CONCAT_INNER_(a, b)
// Bind the value of a Result expression or propagate its Status.
#define MP_ASSIGN_OR_RETURN(lhs, expr)                                                \
  auto MP_CONCAT_(mp_r_, __LINE__) = (expr);                                          \
  if (!MP_CONCAT_(mp_r_, __LINE__).ok()) return MP_CONCAT_(mp_r_, __LINE__).status(); \
  lhs = std::move(MP_CONCAT_(mp_r_, __LINE__)).value()
