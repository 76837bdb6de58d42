#include "ingest/commit_ticket.h"

#include <gtest/gtest.h>

#include <vector>

namespace mailpulse {
namespace {

TEST(CommitTicket, WaitersRunOnResolveThenImmediately) {
  auto t = std::make_shared<CommitTicket>();
  EXPECT_EQ(t->state(), CommitTicket::State::kPending);
  std::vector<int> calls;
  t->OnResolved([&](bool ok) { calls.push_back(ok ? 1 : 0); });
  t->OnResolved([&](bool ok) { calls.push_back(ok ? 11 : 10); });
  EXPECT_TRUE(calls.empty());
  t->Resolve(false);
  EXPECT_EQ(t->state(), CommitTicket::State::kFailed);
  EXPECT_EQ(calls, (std::vector<int>{0, 10}));
  t->OnResolved([&](bool ok) { calls.push_back(ok ? 21 : 20); });
  EXPECT_EQ(calls, (std::vector<int>{0, 10, 20}));
  t->Resolve(true);  // ignored: resolved exactly once
  EXPECT_EQ(t->state(), CommitTicket::State::kFailed);
  EXPECT_EQ(calls.size(), 3u);
}

TEST(CommitTicket, DurableSingleton) {
  const auto& d = CommitTicket::Durable();
  EXPECT_EQ(d->state(), CommitTicket::State::kDurable);
  EXPECT_EQ(d.get(), CommitTicket::Durable().get());
  bool got = false;
  d->OnResolved([&](bool ok) { got = ok; });
  EXPECT_TRUE(got);
}

}  // namespace
}  // namespace mailpulse
