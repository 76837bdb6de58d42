#include "analytics/bloom_filter.h"

#include "common/coding.h"

namespace mailpulse {

namespace {

// FNV-1a with a murmur finalizer; the two halves drive double hashing.
uint64_t Hash64(std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 29;
  return h;
}

// Calls fn(word index, bit mask) for each probe of `h` in a layer of `bits` bits.
template <typename Fn>
bool ForEachProbe(uint64_t bits, uint64_t h, Fn&& fn) {
  uint64_t h1 = h, h2 = (h >> 32) | (h << 32) | 1;
  for (uint32_t i = 0; i < BloomFilter::kProbes; ++i) {
    uint64_t bit = (h1 + i * h2) % bits;
    if (!fn(bit / 64, uint64_t{1} << (bit % 64))) return false;
  }
  return true;
}

}  // namespace

void BloomFilter::Add(std::string_view key) {
  if (layers_.empty() || layers_.back().keys >= layers_.back().capacity) {
    Layer l;
    l.capacity = layers_.empty() ? kFirstLayerKeys : 2 * layers_.back().capacity;
    l.words.assign((l.capacity * kBitsPerKey + 63) / 64, 0);
    layers_.push_back(std::move(l));
  }
  Layer& l = layers_.back();
  ++l.keys;
  ForEachProbe(l.words.size() * 64, Hash64(key), [&l](size_t w, uint64_t mask) {
    l.words[w] |= mask;
    return true;
  });
}

bool BloomFilter::MayContain(std::string_view key) const {
  uint64_t h = Hash64(key);
  for (const Layer& l : layers_) {
    if (ForEachProbe(l.words.size() * 64, h,
                     [&l](size_t w, uint64_t mask) { return (l.words[w] & mask) != 0; })) {
      return true;
    }
  }
  return false;
}

uint64_t BloomFilter::keys() const {
  uint64_t n = 0;
  for (const Layer& l : layers_) n += l.keys;
  return n;
}

size_t BloomFilter::memory_bytes() const {
  size_t n = 0;
  for (const Layer& l : layers_) n += l.words.capacity() * 8;
  return n;
}

void BloomFilter::EncodeTo(std::string& out) const {
  PutVarint64(out, layers_.size());
  for (const Layer& l : layers_) {
    PutVarint64(out, l.capacity);
    PutVarint64(out, l.keys);
    PutVarint64(out, l.words.size());
    for (uint64_t w : l.words) {
      char buf[8];
      EncodeFixed64(buf, w);
      out.append(buf, 8);
    }
  }
}

Status BloomFilter::DecodeFrom(std::string_view& in) {
  auto bad = [] { return Status::Corruption("bloom filter: malformed"); };
  uint64_t n = 0;
  if (!GetVarint64(in, n) || n > 64) return bad();
  std::vector<Layer> layers(n);
  for (Layer& l : layers) {
    uint64_t words = 0;
    if (!GetVarint64(in, l.capacity) || !GetVarint64(in, l.keys) || !GetVarint64(in, words) ||
        words == 0 || words > in.size() / 8) {
      return bad();
    }
    l.words.resize(words);
    for (uint64_t& w : l.words) {
      w = DecodeFixed64(in.data());
      in.remove_prefix(8);
    }
  }
  layers_ = std::move(layers);
  return Status::Ok();
}

}  // namespace mailpulse
