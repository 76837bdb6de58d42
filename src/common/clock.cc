#include "common/clock.h"

namespace mailpulse {
namespace {
class SystemClock final : public Clock {
 public:
  UnixMillis NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

Clock& Clock::System() {
  static SystemClock clock;
  return clock;
}

}  // namespace mailpulse
