#include "ingest/dedupe_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace mailpulse {
namespace {

using Outcome = DedupeIndex::Outcome;
constexpr UnixMillis kT0 = 1700000000000;

uint64_t ConstantHash(std::string_view) { return 42; }

std::vector<DedupeIndex::Query> Queries(const std::vector<std::string>& keys) {
  std::vector<DedupeIndex::Query> q(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) q[i].key = keys[i];
  return q;
}

std::shared_ptr<CommitTicket> NewTicket() { return std::make_shared<CommitTicket>(); }

Outcome CheckOne(DedupeIndex& idx, std::string_view key, UnixMillis now,
                 const std::shared_ptr<CommitTicket>& t,
                 std::shared_ptr<CommitTicket>* original = nullptr) {
  DedupeIndex::Query q;
  q.key = key;
  idx.CheckAndInsert(std::span(&q, 1), now, t);
  if (original) *original = q.original;
  return q.outcome;
}

TEST(DedupeIndex, NewThenDuplicateWithOriginalTicket) {
  DedupeIndex idx({});
  auto t1 = NewTicket(), t2 = NewTicket();
  EXPECT_EQ(CheckOne(idx, "a", kT0, t1), Outcome::kNew);
  std::shared_ptr<CommitTicket> orig;
  EXPECT_EQ(CheckOne(idx, "a", kT0 + 1, t2, &orig), Outcome::kDuplicate);
  EXPECT_EQ(orig, t1);
  EXPECT_EQ(CheckOne(idx, "b", kT0 + 1, t2), Outcome::kNew);
  EXPECT_EQ(idx.entries(), 2u);
}

TEST(DedupeIndex, DuplicatesWithinOneBatch) {
  DedupeIndex idx({});
  auto t = NewTicket();
  std::vector<std::string> keys = {"x", "y", "x", "z", "y", "x"};
  auto q = Queries(keys);
  idx.CheckAndInsert(q, kT0, t);
  const Outcome want[] = {Outcome::kNew, Outcome::kNew,       Outcome::kDuplicate,
                          Outcome::kNew, Outcome::kDuplicate, Outcome::kDuplicate};
  for (size_t i = 0; i < q.size(); ++i) {
    EXPECT_EQ(q[i].outcome, want[i]) << i;
    EXPECT_EQ(q[i].original, want[i] == Outcome::kDuplicate ? t : nullptr) << i;
  }
  EXPECT_EQ(idx.entries(), 3u);
}

TEST(DedupeIndex, ExactUnderForcedHashCollisions) {
  DedupeIndex idx({.hash_for_testing = ConstantHash});
  auto t = NewTicket();
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; ++i) keys.push_back("key-" + std::to_string(i));
  keys.push_back("key-1");  // a real duplicate
  keys.push_back("key-");   // prefix of every key
  keys.push_back(std::string("key-1\0", 6));
  auto q = Queries(keys);
  idx.CheckAndInsert(q, kT0, t);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(q[i].outcome, Outcome::kNew) << i;
  EXPECT_EQ(q[2000].outcome, Outcome::kDuplicate);
  EXPECT_EQ(q[2001].outcome, Outcome::kNew);
  EXPECT_EQ(q[2002].outcome, Outcome::kNew);
  EXPECT_EQ(idx.entries(), 2002u);
}

// Random batches (across CheckAndInsert's prefetch groups, table growth and
// failed originals being replaced) against a plain map of the rules.
TEST(DedupeIndex, BatchesMatchAReferenceModel) {
  for (bool collide : {false, true}) {
    SCOPED_TRACE(collide);
    DedupeOptions opts{.window_ms = 5000};
    if (collide) opts.hash_for_testing = ConstantHash;
    DedupeIndex idx(opts);
    struct Known {
      std::shared_ptr<CommitTicket> ticket;
      UnixMillis seen;
    };
    std::map<std::string, Known> model;
    std::mt19937 rng(7);
    std::vector<std::shared_ptr<CommitTicket>> tickets;
    UnixMillis now = kT0;
    for (int batch = 0; batch < 300; ++batch) {
      now += rng() % 400;
      auto t = NewTicket();
      tickets.push_back(t);
      std::vector<std::string> keys(1 + rng() % 60);
      for (auto& k : keys) k = "k" + std::to_string(rng() % (collide ? 300 : 3000));
      auto q = Queries(keys);
      idx.CheckAndInsert(q, now, t);
      for (size_t i = 0; i < q.size(); ++i) {
        auto it = model.find(keys[i]);
        const bool dup = it != model.end() &&
                         it->second.ticket->state() != CommitTicket::State::kFailed &&
                         now - it->second.seen < opts.window_ms;
        ASSERT_EQ(q[i].outcome, dup ? Outcome::kDuplicate : Outcome::kNew) << batch << " " << i;
        if (dup) {
          ASSERT_EQ(q[i].original, it->second.ticket);
        } else {
          model[keys[i]] = Known{t, now};
        }
      }
      // Settle an older append now and then, sometimes as a failure.
      if (tickets.size() > 3 && rng() % 2 == 0)
        tickets[rng() % tickets.size()]->Resolve(rng() % 3 != 0);
    }
  }
}

TEST(DedupeIndex, FailedOriginalBehavesAsAbsent) {
  DedupeIndex idx({});
  auto t1 = NewTicket(), t2 = NewTicket(), t3 = NewTicket();
  EXPECT_EQ(CheckOne(idx, "k", kT0, t1), Outcome::kNew);
  std::shared_ptr<CommitTicket> orig;
  EXPECT_EQ(CheckOne(idx, "k", kT0, t2, &orig), Outcome::kDuplicate);  // pending
  EXPECT_EQ(orig->state(), CommitTicket::State::kPending);
  t1->Resolve(false);
  EXPECT_EQ(CheckOne(idx, "k", kT0, t2), Outcome::kNew);  // retry accepted
  EXPECT_EQ(CheckOne(idx, "k", kT0, t3, &orig), Outcome::kDuplicate);
  EXPECT_EQ(orig, t2);
  t2->Resolve(true);
  EXPECT_EQ(CheckOne(idx, "k", kT0, t3, &orig), Outcome::kDuplicate);
  EXPECT_EQ(orig->state(), CommitTicket::State::kDurable);
  EXPECT_EQ(idx.entries(), 1u);
}

TEST(DedupeIndex, WindowExpiry) {
  DedupeIndex idx({.window_ms = 1000});
  auto t = NewTicket();
  EXPECT_EQ(CheckOne(idx, "a", kT0, t), Outcome::kNew);
  EXPECT_EQ(CheckOne(idx, "b", kT0 + 500, t), Outcome::kNew);
  EXPECT_EQ(CheckOne(idx, "a", kT0 + 999, t), Outcome::kDuplicate);
  EXPECT_EQ(CheckOne(idx, "a", kT0 + 1000, t), Outcome::kNew);  // expired: remembered again
  EXPECT_EQ(idx.entries(), 2u);
  EXPECT_EQ(CheckOne(idx, "b", kT0 + 1499, t), Outcome::kDuplicate);
  EXPECT_EQ(CheckOne(idx, "c", kT0 + 1600, t), Outcome::kNew);  // expires b
  EXPECT_EQ(idx.entries(), 2u);                                 // a (at +1000) and c
  EXPECT_EQ(idx.evicted_by_budget(), 0u);
  EXPECT_EQ(idx.effective_window_ms(kT0 + 1600), 1000);
}

TEST(DedupeIndex, InsertDurableFromLog) {
  DedupeIndex idx({.window_ms = 1000});
  idx.InsertDurable("old", kT0 - 5000);
  idx.InsertDurable("recent", kT0 - 10);
  idx.InsertDurable("recent", kT0 - 5);  // already there: kept as is
  EXPECT_EQ(idx.entries(), 2u);
  std::shared_ptr<CommitTicket> orig;
  EXPECT_EQ(CheckOne(idx, "recent", kT0, NewTicket(), &orig), Outcome::kDuplicate);
  EXPECT_EQ(orig, CommitTicket::Durable());
  EXPECT_EQ(CheckOne(idx, "old", kT0, NewTicket()), Outcome::kNew);
}

TEST(DedupeIndex, BudgetEvictsOldestFirstAndShrinksWindow) {
  const size_t budget = 512 << 10;
  DedupeIndex idx({.memory_budget_bytes = budget});
  auto t = NewTicket();
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(CheckOne(idx, "event-id-" + std::to_string(i), kT0 + i, t), Outcome::kNew);
    ASSERT_LE(idx.memory_bytes(), budget);
  }
  const size_t kept = idx.entries();
  EXPECT_GT(kept, 1000u);
  EXPECT_LT(kept, static_cast<size_t>(n));
  EXPECT_EQ(idx.evicted_by_budget(), n - kept);
  // The newest `kept` keys are remembered, the older ones are not.
  auto t2 = NewTicket();
  EXPECT_EQ(CheckOne(idx, "event-id-" + std::to_string(n - 1), kT0 + n, t2), Outcome::kDuplicate);
  EXPECT_EQ(CheckOne(idx, "event-id-" + std::to_string(n - kept), kT0 + n, t2),
            Outcome::kDuplicate);
  const int64_t w = idx.effective_window_ms(kT0 + n);
  EXPECT_GE(w, static_cast<int64_t>(kept) - 100);
  EXPECT_LE(w, static_cast<int64_t>(kept) + 200);
  EXPECT_EQ(CheckOne(idx, "event-id-0", kT0 + n, t2), Outcome::kNew);
}

TEST(DedupeIndex, NoFalseDuplicatesAmongOneMillionRandomKeys) {
  DedupeIndex idx({});
  std::mt19937_64 rng(12345);
  auto t = NewTicket();
  const int kBatch = 1000;
  std::vector<std::string> keys(kBatch);
  std::vector<DedupeIndex::Query> q(kBatch);
  size_t dups = 0;
  for (int b = 0; b < 1000; ++b) {
    for (int i = 0; i < kBatch; ++i) {
      // 22 base64url-like chars with a unique counter, as sg_event_id.
      uint64_t r = rng();
      keys[i] = std::to_string(b * kBatch + i) + "-";
      for (int c = 0; keys[i].size() < 22; ++c, r >>= 6)
        keys[i].push_back(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[r & 63]);
      q[i] = DedupeIndex::Query{keys[i]};
    }
    idx.CheckAndInsert(q, kT0, t);
    for (const auto& x : q) dups += x.outcome == Outcome::kDuplicate;
  }
  EXPECT_EQ(dups, 0u);
  EXPECT_EQ(idx.entries(), 1000000u);
  EXPECT_LE(idx.memory_bytes(), size_t{128} << 20);
}

TEST(DedupeIndex, ConcurrentOverlappingKeysEachNewExactlyOnce) {
  DedupeIndex idx({});
  const int kKeys = 20000, kThreads = 4;
  std::vector<std::atomic<int>> news(kKeys);
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      std::mt19937 rng(th);
      std::vector<std::string> keys(50);
      std::vector<DedupeIndex::Query> q(50);
      for (int round = 0; round < 2 * kKeys / 50; ++round) {
        std::vector<int> ids(50);
        for (int i = 0; i < 50; ++i) {
          ids[i] = static_cast<int>(rng() % kKeys);
          keys[i] = "k" + std::to_string(ids[i]);
          q[i] = DedupeIndex::Query{keys[i]};
        }
        idx.CheckAndInsert(q, kT0, std::make_shared<CommitTicket>());
        for (int i = 0; i < 50; ++i) {
          if (q[i].outcome == Outcome::kNew) news[ids[i]].fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  size_t seen = 0;
  for (int k = 0; k < kKeys; ++k) {
    ASSERT_LE(news[k].load(), 1) << k;
    seen += news[k].load();
  }
  EXPECT_EQ(seen, idx.entries());
}

}  // namespace
}  // namespace mailpulse
