// DedupeIndex: exact duplicate detection for one shard, over a time window,
// in bounded memory.
//
// SendGrid retries whole batches for 24 h, so the same event arrives again
// (sg_event_id, or the fallback key of event.h). The index remembers each key
// with the CommitTicket of the append that carried its first copy:
//   - key known, its ticket not kFailed, seen within the window -> duplicate
//     (the caller waits for the original ticket before answering 2xx);
//   - otherwise -> new, remembered with the caller's ticket. An entry whose
//     append failed behaves as absent: that copy never became durable, so the
//     retry must be accepted.
//
// Exact: full key bytes are stored and compared; the hash only picks the
// bucket, so a distinct key is never reported as a duplicate.
//
// Layout (no per-entry heap allocation):
//   - records: a FIFO (std::deque) in insertion order, which is also the
//     eviction order (window expiry and budget eviction both pop the front);
//   - keys: an arena of 64 KiB chunks filled in the same order, freed a chunk
//     at a time as the FIFO front passes it;
//   - table: open addressing, linear probing, 8-byte slots {record seq, hash
//     tag}, load factor <= 3/4, backward-shift deletion (no tombstones).
// Memory per remembered event = key bytes (>= 1)
//   + sizeof(Record) = 40 bytes (time, ticket shared_ptr, key pointer, length, tag)
//   + 8 / load (10.7..21.3 bytes; ~14 on average) for the table
//   (+ the ticket itself, shared by all events of one append).
// About 80 bytes for a 22-26 byte sg_event_id: 128 MiB remembers ~1.6 M events.
// When the budget is reached the oldest entries are evicted first, and
// effective_window_ms() reports how far back duplicates are still caught.
//
// Thread-safety: every method takes one internal mutex; callers batch keys
// (one CheckAndInsert per request and shard) to pay for it once.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "ingest/commit_ticket.h"

namespace mailpulse {

struct DedupeOptions {
  int64_t window_ms = 24 * 3600 * 1000;
  size_t memory_budget_bytes = 128 << 20;
  // Tests only: replaces the (randomly seeded) key hash, e.g. with a constant
  // to force every key into one probe chain.
  uint64_t (*hash_for_testing)(std::string_view key) = nullptr;
};

class DedupeIndex {
 public:
  explicit DedupeIndex(DedupeOptions opts);
  ~DedupeIndex();
  DedupeIndex(const DedupeIndex&) = delete;
  DedupeIndex& operator=(const DedupeIndex&) = delete;

  enum class Outcome { kNew, kDuplicate };
  struct Query {
    std::string_view key;                    // dedupe key (event.h)
    Outcome outcome = Outcome::kNew;         // out
    std::shared_ptr<CommitTicket> original;  // out, for kDuplicate: the first copy's ticket
  };

  // For each query, under one lock: if the key is known, its ticket is not
  // kFailed and it was seen less than window_ms before `now` -> kDuplicate
  // (+ original ticket). Otherwise insert (or replace a failed/expired entry)
  // bound to `ticket` -> kNew. A key repeated inside the same batch is a
  // duplicate of its first copy (original == ticket).
  void CheckAndInsert(std::span<Query> queries, UnixMillis now,
                      const std::shared_ptr<CommitTicket>& ticket);

  // Start-up rebuild from the log: remembers `key` as durable, seen at
  // `seen_ms`. A key already present is left as it is.
  void InsertDurable(std::string_view key, UnixMillis seen_ms);

  size_t entries() const;       // keys remembered (failed/expired ones included until evicted)
  size_t memory_bytes() const;  // table + records + key arena
  // How far back duplicates are caught: window_ms until the budget first
  // forces an eviction; after that, the age (at `now`) of the newest entry
  // evicted for budget, i.e. of the oldest entry kept.
  int64_t effective_window_ms(UnixMillis now) const;
  uint64_t evicted_by_budget() const;

 private:
  struct Slot {
    uint32_t seq;  // record sequence number (see records_)
    uint32_t tag;  // hash bits with the top bit set; 0 = empty
  };
  struct Record {
    UnixMillis seen_ms;
    std::shared_ptr<CommitTicket> ticket;  // null: replaced, no longer in the table
    const char* key;
    uint32_t key_len;
    uint32_t tag;
  };
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size;
    size_t used;
  };

  uint32_t TagOf(std::string_view key) const;
  Record& At(uint32_t seq) { return records_[seq - head_seq_]; }
  // Slot index holding `key`, or the empty slot where it would go.
  size_t Find(std::string_view key, uint32_t tag, bool* found);
  void EraseSlot(size_t i);
  void Grow();
  // Pops the FIFO front; returns true if it was a live entry.
  bool PopFront();
  void ExpireByWindow(UnixMillis now);
  // Grows the table or evicts until one more entry of `key_len` bytes fits;
  // returns true if that moved any slot (Grow, or an eviction's erase).
  bool MakeRoom(size_t key_len);
  const char* StoreKey(std::string_view key);
  static constexpr size_t kNoSlot = ~size_t{0};
  // `slot`: where Find said the absent key goes, or kNoSlot to look it up.
  void Insert(std::string_view key, uint32_t tag, UnixMillis seen_ms,
              const std::shared_ptr<CommitTicket>& ticket, size_t slot);
  size_t MemoryLocked() const;

  const DedupeOptions opts_;
  const uint64_t seed_;
  mutable std::mutex mu_;
  std::vector<Slot> table_;     // size is a power of two
  std::deque<Record> records_;  // FIFO; records_[0] has sequence head_seq_
  uint32_t head_seq_ = 0;       // wraps; fine while fewer than 2^32 records live
  size_t live_ = 0;             // records present in the table
  std::deque<Chunk> chunks_;
  size_t arena_bytes_ = 0;
  uint64_t evicted_by_budget_ = 0;
  UnixMillis last_budget_evicted_ms_ = 0;
};

}  // namespace mailpulse
