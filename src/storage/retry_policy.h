// RetryPolicy: the one place that decides how often and how long object-store
// calls are retried. Only ErrorKind::kRetry is retried (5xx, SlowDown,
// timeouts, connection errors: see s3/http_client.h for the mapping); every
// other kind is returned at once.
//
// Backoff is exponential with "equal jitter": before retry n (n = 0, 1, ...)
// sleep cap/2 + uniform[0, cap/2) ms, cap = min(max_backoff, initial * 2^n),
// so concurrent writers spread out but never retry immediately.
//
// The sleep is a parameter so tests run without waiting. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"

namespace mailpulse {

struct RetryPolicy {
  int max_attempts = 6;  // total calls, including the first
  int64_t initial_backoff_ms = 100;
  int64_t max_backoff_ms = 10'000;

  // The sleep before retry n given a uniform draw u in [0, 1).
  int64_t BackoffMillis(int n, double u) const;
};

using SleepFn = std::function<void(int64_t millis)>;
// std::this_thread::sleep_for.
SleepFn RealSleep();
// A uniform draw in [0, 1) from a thread-local generator.
double JitterDraw();

// Calls op until it returns ok or a non-retry error, or attempts run out; the
// last status is returned, its message prefixed with the attempt count when
// more than one attempt was made.
Status RunWithRetries(const RetryPolicy& policy, const SleepFn& sleep,
                      const std::function<Status()>& op);

// The same for calls returning a value.
template <typename T>
Result<T> RunWithRetries(const RetryPolicy& policy, const SleepFn& sleep,
                         const std::function<Result<T>()>& op) {
  std::optional<Result<T>> out;
  Status s = RunWithRetries(policy, sleep, [&]() -> Status {
    out.emplace(op());
    return out->status();
  });
  if (!s.ok()) return s;
  return std::move(*out);
}

}  // namespace mailpulse
