#include "analytics/message_table.h"

#include <algorithm>
#include <cstring>

#include "common/coding.h"

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

void EncodeMessageState(std::string& out, const MessageState& st) {
  for (uint32_t v : {st.first_open_min, st.first_human_min, st.first_click_min, st.last_seen_min,
                     st.url_bits, static_cast<uint32_t>(st.flags), st.first_human_click_min,
                     st.delivered_s, st.last_click_s, static_cast<uint32_t>(st.burst_links)}) {
    PutVarint64(out, v);
  }
}

bool DecodeMessageState(std::string_view& in, MessageState* st, int fields) {
  uint64_t v[10] = {};
  for (int i = 0; i < fields; ++i) {
    if (!GetVarint64(in, v[i]) || v[i] > UINT32_MAX) return false;
  }
  if (v[5] > UINT8_MAX || v[9] > UINT8_MAX) return false;
  st->first_open_min = static_cast<uint32_t>(v[0]);
  st->first_human_min = static_cast<uint32_t>(v[1]);
  st->first_click_min = static_cast<uint32_t>(v[2]);
  st->last_seen_min = static_cast<uint32_t>(v[3]);
  st->url_bits = static_cast<uint32_t>(v[4]);
  st->flags = static_cast<uint8_t>(v[5]);
  st->first_human_click_min = static_cast<uint32_t>(v[6]);
  st->delivered_s = static_cast<uint32_t>(v[7]);
  st->last_click_s = static_cast<uint32_t>(v[8]);
  st->burst_links = static_cast<uint8_t>(v[9]);
  return true;
}

MessageTable::MessageTable(size_t memory_budget_bytes) : budget_(memory_budget_bytes) { Clear(); }

void MessageTable::Clear() {
  slots_.assign(kInitialCapacity, Slot());
  arena_.clear();
  arena_.shrink_to_fit();
  size_ = 0;
  spilled_filter_ = BloomFilter();
  spilled_ = disk_lookups_ = disk_hits_ = 0;
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
  MessageState restored;
  *inserted = !Unspill(id, &restored);
  bool need_grow = (size_ + 1) * 4 > slots_.size() * 3;
  size_t projected =
      (need_grow ? 2 * slots_.size() * sizeof(Slot) : slots_.capacity() * sizeof(Slot)) +
      ArenaCapacityAfter(id.size());
  if (budget_ != 0 && projected > budget_ && size_ > 0 && MakeRoom()) {
    i = Probe(id, h);
  } else if (need_grow) {
    Rebuild(slots_.size() * 2, 0);
    i = Probe(id, h);
  }
  Slot& s = slots_[i];
  s.hash = h;
  s.key_off = static_cast<uint32_t>(arena_.size());
  s.key_len = static_cast<uint32_t>(id.size());
  s.st = restored;
  if (arena_.size() + id.size() > arena_.capacity()) arena_.reserve(ArenaCapacityAfter(id.size()));
  arena_.append(id);
  ++size_;
  return &s.st;
}

size_t MessageTable::ArenaCapacityAfter(size_t add) const {
  size_t need = arena_.size() + add;
  // std::string grows by doubling: the budget must count what it will allocate.
  return need <= arena_.capacity() ? arena_.capacity() : std::max(need, 2 * arena_.capacity());
}

bool MessageTable::Unspill(std::string_view id, MessageState* st) {
  if (spill_ == nullptr || spilled_ == 0 || !spilled_filter_.MayContain(id)) return false;
  ++disk_lookups_;
  std::string value;
  Result<bool> found = spill_->Take(id, &value);
  if (!found.ok()) {
    if (spill_status_.ok()) spill_status_ = found.status();
    return false;
  }
  if (!*found) return false;
  std::string_view in = value;
  if (!DecodeMessageState(in, st) || !in.empty()) {
    if (spill_status_.ok()) spill_status_ = Status::Corruption("spilled message state: malformed");
    return false;
  }
  ++disk_hits_;
  --spilled_;
  return true;
}

void MessageTable::EncodeSpillIndex(std::string& out) const {
  PutVarint64(out, spilled_);
  spilled_filter_.EncodeTo(out);
}

Status MessageTable::DecodeSpillIndex(std::string_view& in) {
  uint64_t n = 0;
  if (!GetVarint64(in, n)) return Status::Corruption("spill index: malformed");
  BloomFilter f;
  MP_RETURN_IF_ERROR(f.DecodeFrom(in));
  spilled_ = n;
  spilled_filter_ = std::move(f);
  return Status::Ok();
}

void MessageTable::Rebuild(size_t capacity, uint32_t keep_after_min) {
  std::vector<Slot> old;
  old.swap(slots_);
  std::string old_arena;
  old_arena.swap(arena_);
  auto keep = [keep_after_min](const Slot& s) {
    return s.key_len != 0 && (keep_after_min == 0 || s.st.last_seen_min > keep_after_min);
  };
  size_t kept_bytes = 0;
  for (const Slot& s : old) kept_bytes += keep(s) ? s.key_len : 0;
  slots_.assign(capacity, Slot());
  arena_.reserve(kept_bytes);
  size_ = 0;
  size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (!keep(s)) continue;
    size_t i = s.hash & mask;
    while (slots_[i].key_len != 0) i = (i + 1) & mask;
    slots_[i] = s;
    slots_[i].key_off = static_cast<uint32_t>(arena_.size());
    arena_.append(old_arena, s.key_off, s.key_len);
    ++size_;
  }
}

bool MessageTable::MakeRoom() {
  if (!spill_status_.ok()) return false;  // keep everything in RAM after a disk error
  // The 25th percentile of last-seen minutes, from an even sample.
  std::vector<uint32_t> sample;
  size_t step = std::max<size_t>(1, slots_.size() / 4096);
  for (size_t i = 0; i < slots_.size(); i += step) {
    if (slots_[i].key_len != 0) sample.push_back(slots_[i].st.last_seen_min);
  }
  if (sample.empty()) return false;
  std::nth_element(sample.begin(), sample.begin() + sample.size() / 4, sample.end());
  uint32_t cutoff = std::max<uint32_t>(1, sample[sample.size() / 4]);
  if (spill_ != nullptr) {
    std::vector<std::pair<std::string, std::string>> batch;
    for (const Slot& s : slots_) {
      if (s.key_len == 0 || s.st.last_seen_min > cutoff) continue;
      batch.emplace_back(std::string(arena_.data() + s.key_off, s.key_len), std::string());
      EncodeMessageState(batch.back().second, s.st);
    }
    Status st = spill_->Put(batch);
    if (!st.ok()) {
      spill_status_ = st;
      return false;
    }
    for (const auto& [id, value] : batch) spilled_filter_.Add(id);
    spilled_ += batch.size();
  }
  // Shrink while the survivors would sit below the minimum load of 3/8, so a
  // table loaded over its budget (a smaller analytics_memory than the
  // snapshot was written with) gets back under it.
  size_t survivors = 0;
  for (const Slot& s : slots_) survivors += s.key_len != 0 && s.st.last_seen_min > cutoff;
  size_t capacity = slots_.size();
  while (capacity > kInitialCapacity && survivors * 8 < capacity * 3) capacity /= 2;
  size_t before = size_;
  Rebuild(capacity, cutoff);
  if (spill_ == nullptr) {
    evictions_ += before - size_;
    evicted_through_min_ = std::max(evicted_through_min_, cutoff);
  }
  return true;
}

void MessageTable::ForEach(
    const std::function<void(std::string_view, const MessageState&)>& fn) const {
  for (const Slot& s : slots_) {
    if (s.key_len != 0) fn(std::string_view(arena_.data() + s.key_off, s.key_len), s.st);
  }
}

}  // namespace mailpulse
