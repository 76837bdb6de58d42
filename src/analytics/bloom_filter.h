// BloomFilter: "is this message id possibly on disk?" for the analytics spill
// store (docs/analytics.md, "Memory"), so the common case, an event of a
// message never spilled, is answered from RAM without a disk lookup.
//
// Scalable: a list of layers, each with twice the capacity of the previous
// one, at 10 bits and 7 probes per key (~1% false positives per layer, the
// sum over layers stays below ~2%). A key is added to the newest layer; a
// lookup probes every layer. No false negatives. Keys cannot be removed: a
// message taken back from disk stays "maybe" (one wasted lookup later).
// RAM: ~1.25 bytes per key added.
//
// A value type; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailpulse {

class BloomFilter {
 public:
  static constexpr uint64_t kFirstLayerKeys = 1 << 16;
  static constexpr uint32_t kBitsPerKey = 10;
  static constexpr uint32_t kProbes = 7;

  void Add(std::string_view key);
  bool MayContain(std::string_view key) const;

  uint64_t keys() const;
  size_t memory_bytes() const;

  // Appends the filter (varints and raw words) to `out`; Decode reads it back
  // from the front of `in` (advancing it); Corruption when malformed.
  void EncodeTo(std::string& out) const;
  Status DecodeFrom(std::string_view& in);

 private:
  struct Layer {
    uint64_t capacity = 0;  // keys before the next layer starts
    uint64_t keys = 0;
    std::vector<uint64_t> words;
  };

  std::vector<Layer> layers_;
};

}  // namespace mailpulse
