#include "storage/retry_policy.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace mailpulse {

int64_t RetryPolicy::BackoffMillis(int n, double u) const {
  int64_t cap = initial_backoff_ms;
  for (int i = 0; i < n && cap < max_backoff_ms; ++i) cap *= 2;
  cap = std::min(cap, max_backoff_ms);
  u = std::clamp(u, 0.0, 1.0);
  return cap / 2 + static_cast<int64_t>(u * static_cast<double>(cap - cap / 2));
}

SleepFn RealSleep() {
  return [](int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
}

double JitterDraw() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

Status RunWithRetries(const RetryPolicy& policy, const SleepFn& sleep,
                      const std::function<Status()>& op) {
  const int attempts = std::max(1, policy.max_attempts);
  Status s;
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) sleep(policy.BackoffMillis(i - 1, JitterDraw()));
    s = op();
    if (s.ok() || s.kind() != ErrorKind::kRetry) {
      if (i == 0 || s.ok()) return s;
      return Status(s.kind(), s.message() + " (after " + std::to_string(i + 1) + " attempts)");
    }
  }
  if (attempts == 1) return s;
  return Status(s.kind(),
                s.message() + " (gave up after " + std::to_string(attempts) + " attempts)");
}

}  // namespace mailpulse
