// MessageTable: per-message analytics state, keyed by message id (the part of
// sg_message_id before its first '.'), in one flat open-addressing table.
//
// Why: unique opens/clicks and the "count once per message" events need to
// know what a message already did; with millions of messages this must be
// compact. Cost per message (documented in docs/analytics.md): one 48-byte
// slot at load factor 3/8..3/4 (64-128 bytes of table per message, ~85 on
// average) plus the id bytes in an arena (22 for SendGrid ids).
//
// Memory budget: when an insert would take the table past its budget, the
// least recently seen quarter of the messages (by event time) leaves RAM:
//  - with a SpillStore attached, their state is written to disk and a bloom
//    filter remembers their ids; FindOrInsert of an id not in RAM but maybe
//    in the filter reads it back (and deletes it from disk), so counts stay
//    exact however small the budget;
//  - without one (tools, tests), it is forgotten (`evictions()`): a later
//    open of such a message counts as unique again.
// A disk error is kept (`spill_status()`); the messages stay in RAM then.
//
// Pointers returned by Find/FindOrInsert are valid until the next
// FindOrInsert or Clear. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/bloom_filter.h"
#include "common/status.h"

namespace mailpulse {

// Where a MessageTable puts per-message state beyond its budget: SpillStore
// (RocksDB) in production, fakes with injected failures in tests. Keys are
// message ids, values EncodeMessageState output.
class MessageSpill {
 public:
  virtual ~MessageSpill() = default;
  // Writes every pair, or fails as a whole.
  virtual Status Put(const std::vector<std::pair<std::string, std::string>>& batch) = 0;
  // Reads and deletes the value of `id`; false when absent.
  virtual Result<bool> Take(std::string_view id, std::string* value) = 0;
};

struct MessageState {
  // Minutes since the epoch (+1, so 0 means "never") of the earliest open,
  // earliest human open, earliest click and earliest human (not bot) click:
  // the bucket where the message's unique was counted, so an earlier event
  // arriving later moves it.
  uint32_t first_open_min = 0;
  uint32_t first_human_min = 0;
  uint32_t first_click_min = 0;
  uint32_t last_seen_min = 0;  // for spilling the coldest
  uint32_t url_bits = 0;       // bit i: a click on the campaign's URL #i (i < 32)
  uint32_t first_human_click_min = 0;
  uint32_t delivered_s = 0;   // event second (+1) of the delivered event (bot clicks)
  uint32_t last_click_s = 0;  // event second (+1) of the latest click (bot clicks)
  uint8_t flags = 0;          // MessageFlag bits: once-per-message events seen
  uint8_t burst_links = 0;    // new links clicked in the current click burst
};

enum MessageFlag : uint8_t {
  kSeenProcessed = 1 << 0,
  kSeenDelivered = 1 << 1,
  kSeenBounce = 1 << 2,
  kSeenBlocked = 1 << 3,
  kSeenDropped = 1 << 4,
};

// The varint encoding of a state, shared by the snapshot and the spill store.
void EncodeMessageState(std::string& out, const MessageState& st);
// Reads one from the front of `in`; false when malformed. `fields` < 10
// reads an older, shorter encoding (the missing fields stay 0).
bool DecodeMessageState(std::string_view& in, MessageState* st, int fields = 10);

class MessageTable {
 public:
  // 0 = unlimited.
  explicit MessageTable(size_t memory_budget_bytes = 0);
  // Applies from the next insert (the snapshot is loaded without a budget).
  void set_budget(size_t memory_budget_bytes) { budget_ = memory_budget_bytes; }

  // In RAM only.
  MessageState* Find(std::string_view id);
  // `id` must be non-empty. A message found on disk is brought back to RAM
  // (*inserted false); *inserted is true only for a message never seen.
  MessageState* FindOrInsert(std::string_view id, bool* inserted);

  // Spills instead of forgetting from now on; `store` outlives the table (or
  // is detached with nullptr). The filter and counters below describe what
  // is in it, and are saved with the snapshot (EncodeSpillIndex).
  void AttachSpill(MessageSpill* store) { spill_ = store; }
  const Status& spill_status() const { return spill_status_; }
  uint64_t spilled() const { return spilled_; }  // messages on disk now
  uint64_t disk_lookups() const { return disk_lookups_; }
  uint64_t disk_hits() const { return disk_hits_; }
  size_t filter_memory_bytes() const { return spilled_filter_.memory_bytes(); }
  void EncodeSpillIndex(std::string& out) const;
  Status DecodeSpillIndex(std::string_view& in);

  size_t size() const { return size_; }  // in RAM
  size_t memory_bytes() const;
  uint64_t evictions() const { return evictions_; }
  uint32_t evicted_through_min() const { return evicted_through_min_; }
  void Clear();

  void ForEach(const std::function<void(std::string_view id, const MessageState&)>& fn) const;

  static constexpr size_t kSlotBytes = 48;

 private:
  struct Slot {
    uint32_t hash = 0;  // picks the slot; keys are compared in full
    uint32_t key_off = 0;
    uint32_t key_len = 0;  // 0: empty slot
    MessageState st;
  };
  static_assert(sizeof(Slot) == kSlotBytes);

  size_t Probe(std::string_view id, uint32_t h) const;  // slot holding id, or the empty slot to use
  void Rebuild(size_t capacity, uint32_t keep_after_min);
  // Moves (or forgets) the least recently seen quarter; false if nothing left.
  bool MakeRoom();
  size_t ArenaCapacityAfter(size_t add) const;
  // Reads a spilled state of `id` back from disk; false when not there.
  bool Unspill(std::string_view id, MessageState* st);

  size_t budget_;
  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
  uint64_t evictions_ = 0;
  uint32_t evicted_through_min_ = 0;

  MessageSpill* spill_ = nullptr;
  BloomFilter spilled_filter_;
  uint64_t spilled_ = 0;
  uint64_t disk_lookups_ = 0;
  uint64_t disk_hits_ = 0;
  Status spill_status_;
};

}  // namespace mailpulse
