#include "analytics/message_table.h"

#include <algorithm>
#include <cstring>

namespace mailpulse {

namespace {
constexpr size_t kInitialCapacity = 1024;

uint32_t HashId(std::string_view id) {
  // FNV-1a then a murmur finalizer: ids are short, and the high bits pick the slot.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<uint32_t>(h ^ (h >> 32));
}
}  // namespace

MessageTable::MessageTable(size_t memory_budget_bytes) : budget_(memory_budget_bytes) { Clear(); }

void MessageTable::Clear() {
  slots_.assign(kInitialCapacity, Slot());
  arena_.clear();
  arena_.shrink_to_fit();
  size_ = 0;
}

size_t MessageTable::memory_bytes() const {
  return slots_.capacity() * sizeof(Slot) + arena_.capacity();
}

size_t MessageTable::Probe(std::string_view id, uint32_t h) const {
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;;) {
    const Slot& s = slots_[i];
    if (s.key_len == 0) return i;
    if (s.hash == h && s.key_len == id.size() &&
        std::memcmp(arena_.data() + s.key_off, id.data(), id.size()) == 0) {
      return i;
    }
    i = (i + 1) & mask;
  }
}

MessageState* MessageTable::Find(std::string_view id) {
  if (id.empty()) return nullptr;
  Slot& s = slots_[Probe(id, HashId(id))];
  return s.key_len == 0 ? nullptr : &s.st;
}

MessageState* MessageTable::FindOrInsert(std::string_view id, bool* inserted) {
  uint32_t h = HashId(id);
  size_t i = Probe(id, h);
  if (slots_[i].key_len != 0) {
    *inserted = false;
    return &slots_[i].st;
  }
  *inserted = true;
  bool need_grow = (size_ + 1) * 4 > slots_.size() * 3;
  size_t projected =
      (need_grow ? 2 * slots_.size() * sizeof(Slot) : slots_.capacity() * sizeof(Slot)) +
      std::max(arena_.capacity(), arena_.size() + id.size());
  if (budget_ != 0 && projected > budget_ && size_ > 0) {
    EvictOldest();
    i = Probe(id, h);
  } else if (need_grow) {
    Rebuild(slots_.size() * 2, 0);
    i = Probe(id, h);
  }
  Slot& s = slots_[i];
  s.hash = h;
  s.key_off = static_cast<uint32_t>(arena_.size());
  s.key_len = static_cast<uint32_t>(id.size());
  s.st = MessageState();
  arena_.append(id);
  ++size_;
  return &s.st;
}

void MessageTable::Rebuild(size_t capacity, uint32_t keep_after_min) {
  std::vector<Slot> old;
  old.swap(slots_);
  std::string old_arena;
  old_arena.swap(arena_);
  slots_.assign(capacity, Slot());
  arena_.reserve(old_arena.size());
  size_ = 0;
  size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.key_len == 0 || (keep_after_min != 0 && s.st.last_seen_min <= keep_after_min)) continue;
    size_t i = s.hash & mask;
    while (slots_[i].key_len != 0) i = (i + 1) & mask;
    slots_[i] = s;
    slots_[i].key_off = static_cast<uint32_t>(arena_.size());
    arena_.append(old_arena, s.key_off, s.key_len);
    ++size_;
  }
}

void MessageTable::EvictOldest() {
  // The 25th percentile of last-seen minutes, from an even sample.
  std::vector<uint32_t> sample;
  size_t step = std::max<size_t>(1, slots_.size() / 4096);
  for (size_t i = 0; i < slots_.size(); i += step) {
    if (slots_[i].key_len != 0) sample.push_back(slots_[i].st.last_seen_min);
  }
  if (sample.empty()) return;
  std::nth_element(sample.begin(), sample.begin() + sample.size() / 4, sample.end());
  uint32_t cutoff = std::max<uint32_t>(1, sample[sample.size() / 4]);
  size_t before = size_;
  Rebuild(slots_.size(), cutoff);
  evictions_ += before - size_;
  evicted_through_min_ = std::max(evicted_through_min_, cutoff);
}

void MessageTable::ForEach(
    const std::function<void(std::string_view, const MessageState&)>& fn) const {
  for (const Slot& s : slots_) {
    if (s.key_len != 0) fn(std::string_view(arena_.data() + s.key_off, s.key_len), s.st);
  }
}

}  // namespace mailpulse
