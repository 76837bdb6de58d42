#include "ingest/commit_ticket.h"

#include <utility>

namespace mailpulse {

void CommitTicket::OnResolved(std::function<void(bool ok)> fn) {
  {
    std::lock_guard lock(mu_);
    if (state() == State::kPending) {
      waiters_.push_back(std::move(fn));
      return;
    }
  }
  fn(state() == State::kDurable);
}

void CommitTicket::Resolve(bool ok) {
  std::vector<std::function<void(bool)>> waiters;
  {
    std::lock_guard lock(mu_);
    if (state() != State::kPending) return;
    state_.store(ok ? State::kDurable : State::kFailed, std::memory_order_release);
    waiters.swap(waiters_);
  }
  for (auto& fn : waiters) fn(ok);
}

const std::shared_ptr<CommitTicket>& CommitTicket::Durable() {
  static const std::shared_ptr<CommitTicket> durable = [] {
    auto t = std::make_shared<CommitTicket>();
    t->Resolve(true);
    return t;
  }();
  return durable;
}

}  // namespace mailpulse
