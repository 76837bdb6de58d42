// CommitTicket: the fate of one append (one request's records to one shard),
// shared by everyone who must answer depending on it: the request that made
// the append, and any later request whose events were duplicates of it
// (DedupeIndex hands out the first copy's ticket). A duplicate may only be
// acknowledged once its original is durable, so a 2xx never covers an event
// that is not on disk.
//
// Resolved exactly once (later Resolve calls are ignored). Thread-safe:
// state() is an atomic read; OnResolved/Resolve take a small mutex, and
// callbacks run outside it, on the resolver's thread (or the caller's, when
// already resolved).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace mailpulse {

class CommitTicket {
 public:
  enum class State { kPending, kDurable, kFailed };

  CommitTicket() = default;
  CommitTicket(const CommitTicket&) = delete;
  CommitTicket& operator=(const CommitTicket&) = delete;

  State state() const { return state_.load(std::memory_order_acquire); }

  // Runs fn(ok) now if resolved, else when Resolve is called.
  void OnResolved(std::function<void(bool ok)> fn);

  // Settles the ticket and runs (then drops) the waiters.
  void Resolve(bool ok);

  // A shared, already-durable ticket (for entries rebuilt from the log).
  static const std::shared_ptr<CommitTicket>& Durable();

 private:
  std::atomic<State> state_{State::kPending};
  std::mutex mu_;
  std::vector<std::function<void(bool)>> waiters_;  // guarded by mu_
};

}  // namespace mailpulse
