// Clock seam: production code reads time through a Clock so tests can set it.
#pragma once

#include <atomic>
#include <chrono>

#include "common/types.h"

namespace mailpulse {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMillis NowMillis() const = 0;
  // The process-wide wall clock.
  static Clock& System();
};

// A clock that only moves when told; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMillis start) : now_(start) {}
  UnixMillis NowMillis() const override { return now_.load(std::memory_order_relaxed); }
  void Set(UnixMillis t) { now_.store(t, std::memory_order_relaxed); }
  void Advance(UnixMillis d) { now_.fetch_add(d, std::memory_order_relaxed); }

 private:
  std::atomic<UnixMillis> now_;
};

}  // namespace mailpulse
