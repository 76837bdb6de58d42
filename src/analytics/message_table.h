// MessageTable: per-message analytics state, keyed by message id (the part of
// sg_message_id before its first '.'), in one flat open-addressing table.
//
// Why: unique opens/clicks and the "count once per message" events need to
// know what a message already did; with millions of messages this must be
// compact. Cost per message (documented in docs/analytics.md): one 36-byte
// slot at load factor 3/8..3/4 (48-96 bytes of table per message, ~64 on
// average) plus the id bytes in an arena (22 for SendGrid ids).
//
// Memory budget: when an insert would take the table past its budget, the
// least recently seen quarter of the messages (by event time) is evicted and
// the table rebuilt; `evicted_through_min()` then says up to which minute
// messages may have been forgotten (a later open of such a message counts
// as unique again — the same 7-day-style horizon SendGrid documents). Spilling
// evicted state to disk is NOT implemented (see docs/analytics.md).
//
// Pointers returned by Find/FindOrInsert are valid until the next
// FindOrInsert or Clear. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpulse {

struct MessageState {
  // Minutes since the epoch (+1, so 0 means "never") of the earliest open,
  // earliest human open and earliest click: the bucket where the message's
  // unique was counted, so an earlier event arriving later moves it.
  uint32_t first_open_min = 0;
  uint32_t first_human_min = 0;
  uint32_t first_click_min = 0;
  uint32_t last_seen_min = 0;  // for eviction
  uint32_t url_bits = 0;       // bit i: a click on the campaign's URL #i (i < 32)
  uint16_t flags = 0;          // MessageFlag bits: once-per-message events seen
};

enum MessageFlag : uint16_t {
  kSeenProcessed = 1 << 0,
  kSeenDelivered = 1 << 1,
  kSeenBounce = 1 << 2,
  kSeenBlocked = 1 << 3,
  kSeenDropped = 1 << 4,
};

class MessageTable {
 public:
  // 0 = unlimited.
  explicit MessageTable(size_t memory_budget_bytes = 0);

  MessageState* Find(std::string_view id);
  // `id` must be non-empty.
  MessageState* FindOrInsert(std::string_view id, bool* inserted);

  size_t size() const { return size_; }
  size_t memory_bytes() const;
  uint64_t evictions() const { return evictions_; }
  uint32_t evicted_through_min() const { return evicted_through_min_; }
  void Clear();

  void ForEach(const std::function<void(std::string_view id, const MessageState&)>& fn) const;

  static constexpr size_t kSlotBytes = 36;

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
  void EvictOldest();

  size_t budget_;
  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
  uint64_t evictions_ = 0;
  uint32_t evicted_through_min_ = 0;
};

}  // namespace mailpulse
