#include "ingest/dedupe_index.h"

#include <algorithm>
#include <cstring>
#include <random>

namespace mailpulse {
namespace {

constexpr size_t kInitialSlots = 1024;
constexpr size_t kChunkBytes = 64 << 10;

// Multiply-fold mixing; not cryptographic. The per-index random seed keeps
// probe chains from being crafted offline by whoever controls sg_event_id.
inline uint64_t Fold(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

uint64_t HashKey(std::string_view key, uint64_t seed) {
  constexpr uint64_t kM1 = 0x9e3779b97f4a7c15ULL;
  constexpr uint64_t kM2 = 0xbf58476d1ce4e5b9ULL;
  const char* p = key.data();
  size_t n = key.size();
  uint64_t h = seed ^ (n * kM1);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = Fold(h ^ w, kM2 ^ seed);
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  h = Fold(h ^ w ^ (static_cast<uint64_t>(n) << 59), kM1);
  return Fold(h, kM2);
}

uint64_t RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0x6a09e667f3bcc909ULL;
}

}  // namespace

DedupeIndex::DedupeIndex(DedupeOptions opts)
    : opts_(opts), seed_(RandomSeed()), table_(kInitialSlots, Slot{0, 0}) {}

DedupeIndex::~DedupeIndex() = default;

uint32_t DedupeIndex::TagOf(std::string_view key) const {
  uint64_t h =
      opts_.hash_for_testing != nullptr ? opts_.hash_for_testing(key) : HashKey(key, seed_);
  return static_cast<uint32_t>(h) | 0x80000000u;
}

size_t DedupeIndex::Find(std::string_view key, uint32_t tag, bool* found) {
  const size_t mask = table_.size() - 1;
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    const Slot& s = table_[i];
    if (s.tag == 0) {
      *found = false;
      return i;
    }
    if (s.tag == tag) {
      const Record& r = At(s.seq);
      if (r.key_len == key.size() && std::memcmp(r.key, key.data(), key.size()) == 0) {
        *found = true;
        return i;
      }
    }
  }
}

void DedupeIndex::EraseSlot(size_t i) {
  // Backward-shift deletion: pull later members of the probe run into the
  // hole unless that would move them before their home slot.
  const size_t mask = table_.size() - 1;
  size_t hole = i;
  for (size_t k = (i + 1) & mask; table_[k].tag != 0; k = (k + 1) & mask) {
    const size_t home = table_[k].tag & mask;
    if (((k - home) & mask) >= ((k - hole) & mask)) {
      table_[hole] = table_[k];
      hole = k;
    }
  }
  table_[hole] = Slot{0, 0};
  --live_;
}

void DedupeIndex::Grow() {
  std::vector<Slot> old(table_.size() * 2, Slot{0, 0});
  old.swap(table_);
  const size_t mask = table_.size() - 1;
  for (const Slot& s : old) {
    if (s.tag == 0) continue;
    size_t i = s.tag & mask;
    while (table_[i].tag != 0) i = (i + 1) & mask;
    table_[i] = s;
  }
}

bool DedupeIndex::PopFront() {
  Record& front = records_.front();
  const bool live = front.ticket != nullptr;
  if (live) {
    const size_t mask = table_.size() - 1;
    size_t i = front.tag & mask;
    while (table_[i].seq != head_seq_ || table_[i].tag != front.tag) i = (i + 1) & mask;
    EraseSlot(i);
  }
  records_.pop_front();
  ++head_seq_;
  // Free key chunks the FIFO front has moved past.
  while (chunks_.size() > 1) {
    const Chunk& c = chunks_.front();
    if (!records_.empty() && records_.front().key >= c.data.get() &&
        records_.front().key < c.data.get() + c.size) {
      break;
    }
    arena_bytes_ -= c.size;
    chunks_.pop_front();
  }
  if (records_.empty() && !chunks_.empty()) chunks_.back().used = 0;
  return live;
}

void DedupeIndex::ExpireByWindow(UnixMillis now) {
  while (!records_.empty()) {
    const Record& r = records_.front();
    if (r.ticket != nullptr && now - r.seen_ms < opts_.window_ms) break;
    PopFront();
  }
}

size_t DedupeIndex::MemoryLocked() const {
  return table_.size() * sizeof(Slot) + records_.size() * sizeof(Record) + arena_bytes_;
}

bool DedupeIndex::MakeRoom(size_t key_len) {
  const size_t budget = opts_.memory_budget_bytes;
  bool moved = false;
  auto evict = [this, &moved] {
    const UnixMillis seen = records_.front().seen_ms;
    if (PopFront()) {
      ++evicted_by_budget_;
      last_budget_evicted_ms_ = seen;
      moved = true;  // backward-shift deletion may have moved slots
    }
  };
  // Table room first: grow while the budget allows it, else evict.
  while ((live_ + 1) * 4 > table_.size() * 3) {
    if (MemoryLocked() + table_.size() * sizeof(Slot) <= budget || records_.empty()) {
      Grow();
      moved = true;
    } else {
      evict();
    }
  }
  // Then the record and its key bytes.
  for (;;) {
    const size_t need = std::max<size_t>(key_len, 1);
    const bool new_chunk = chunks_.empty() || chunks_.back().size - chunks_.back().used < need;
    const size_t extra = sizeof(Record) + (new_chunk ? std::max(kChunkBytes, need) : 0);
    if (MemoryLocked() + extra <= budget || records_.empty()) return moved;
    evict();
  }
}

const char* DedupeIndex::StoreKey(std::string_view key) {
  const size_t need = std::max<size_t>(key.size(), 1);
  if (chunks_.empty() || chunks_.back().size - chunks_.back().used < need) {
    const size_t size = std::max(kChunkBytes, need);
    chunks_.push_back(Chunk{std::make_unique<char[]>(size), size, 0});
    arena_bytes_ += size;
  }
  Chunk& c = chunks_.back();
  char* dst = c.data.get() + c.used;
  if (!key.empty()) std::memcpy(dst, key.data(), key.size());
  c.used += need;
  return dst;
}

void DedupeIndex::Insert(std::string_view key, uint32_t tag, UnixMillis seen_ms,
                         const std::shared_ptr<CommitTicket>& ticket, size_t slot) {
  if (MakeRoom(key.size()) || slot == kNoSlot) {
    bool found = false;
    slot = Find(key, tag, &found);  // growth or eviction moved things
  }
  const uint32_t seq = head_seq_ + static_cast<uint32_t>(records_.size());
  const char* stored = StoreKey(key);
  records_.push_back(Record{seen_ms, ticket, stored, static_cast<uint32_t>(key.size()), tag});
  table_[slot] = Slot{seq, tag};
  ++live_;
}

void DedupeIndex::CheckAndInsert(std::span<Query> queries, UnixMillis now,
                                 const std::shared_ptr<CommitTicket>& ticket) {
  std::lock_guard lock(mu_);
  ExpireByWindow(now);
  // A batch's keys land on random slots of a table far larger than the
  // cache, so each probe would start with a cache miss. Hash a group of keys
  // first and prefetch their home slots, so the misses overlap instead of
  // queueing one after the other. (A prefetch made stale by Grow is only a
  // wasted hint: Find reads the current table.)
  constexpr size_t kGroup = 16;
  uint32_t tags[kGroup];
  for (size_t base = 0; base < queries.size(); base += kGroup) {
    const size_t n = std::min(kGroup, queries.size() - base);
    const size_t mask = table_.size() - 1;
    for (size_t k = 0; k < n; ++k) {
      tags[k] = TagOf(queries[base + k].key);
      __builtin_prefetch(&table_[tags[k] & mask]);
    }
    for (size_t k = 0; k < n; ++k) {
      Query& q = queries[base + k];
      const uint32_t tag = tags[k];
      bool found = false;
      size_t slot = Find(q.key, tag, &found);
      if (found) {
        Record& r = At(table_[slot].seq);
        if (r.ticket->state() != CommitTicket::State::kFailed &&
            now - r.seen_ms < opts_.window_ms) {
          q.outcome = Outcome::kDuplicate;
          q.original = r.ticket;
          continue;
        }
        r.ticket.reset();  // failed or expired: the record stays in the FIFO as garbage
        EraseSlot(slot);
        slot = kNoSlot;  // the backward shift may have moved the run
      }
      Insert(q.key, tag, now, ticket, slot);
      q.outcome = Outcome::kNew;
      q.original.reset();
    }
  }
}

void DedupeIndex::InsertDurable(std::string_view key, UnixMillis seen_ms) {
  std::lock_guard lock(mu_);
  const uint32_t tag = TagOf(key);
  bool found = false;
  const size_t slot = Find(key, tag, &found);
  if (!found) Insert(key, tag, seen_ms, CommitTicket::Durable(), slot);
}

size_t DedupeIndex::entries() const {
  std::lock_guard lock(mu_);
  return live_;
}

size_t DedupeIndex::memory_bytes() const {
  std::lock_guard lock(mu_);
  return MemoryLocked();
}

int64_t DedupeIndex::effective_window_ms(UnixMillis now) const {
  std::lock_guard lock(mu_);
  if (evicted_by_budget_ == 0) return opts_.window_ms;
  return std::clamp<int64_t>(now - last_budget_evicted_ms_, 0, opts_.window_ms);
}

uint64_t DedupeIndex::evicted_by_budget() const {
  std::lock_guard lock(mu_);
  return evicted_by_budget_;
}

}  // namespace mailpulse
