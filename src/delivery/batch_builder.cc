#include "delivery/batch_builder.h"

#include <fmt/format.h>

#include <algorithm>

namespace mailpulse {

std::string LakeObjectName(std::string_view source, ShardId shard, SequenceNumber first,
                           SequenceNumber last, std::string_view extension) {
  return fmt::format("mailpulse-{}-{:04d}-{}-{}{}", source, shard.value(), first.ToPadded(20),
                     last.ToPadded(20), extension);
}

std::optional<LakeObjectNameParts> ParseLakeObjectName(std::string_view name) {
  constexpr std::string_view kPrefix = "mailpulse-";
  if (!name.starts_with(kPrefix)) return std::nullopt;
  name.remove_prefix(kPrefix.size());
  // <source>-<shard>-<first>-<last><extension>: the source may hold '-' but
  // no '.'; numbers are zero-padded (shard to 4 digits, sequence numbers to
  // 20) and wider when they must be (Kinesis' sequence numbers).
  size_t ext = std::min(name.find('.'), name.size());
  std::string_view rest = name.substr(0, ext);
  auto take_number = [&rest](std::string_view* out) {
    size_t dash = rest.rfind('-');
    if (dash == std::string_view::npos) return false;
    *out = rest.substr(dash + 1);
    rest = rest.substr(0, dash);
    if (out->empty()) return false;
    for (char c : *out)
      if (c < '0' || c > '9') return false;
    return true;
  };
  std::string_view last, first, shard;
  if (!take_number(&last) || !take_number(&first) || !take_number(&shard) || rest.empty() ||
      shard.size() < 4 || shard.size() > 10 || first.size() < 20 || last.size() < 20) {
    return std::nullopt;
  }
  auto canonical = [](std::string_view d) {
    size_t nz = d.find_first_not_of('0');
    return SequenceNumber::FromDecimal(nz == std::string_view::npos ? "0" : d.substr(nz));
  };
  std::optional<SequenceNumber> f = canonical(first), l = canonical(last);
  uint64_t shard_number = 0;
  for (char c : shard) shard_number = shard_number * 10 + static_cast<uint64_t>(c - '0');
  if (!f || !l || shard_number > UINT32_MAX) return std::nullopt;
  LakeObjectNameParts p;
  p.source = std::string(rest);
  p.shard = ShardId(static_cast<uint32_t>(shard_number));
  p.first = *f;
  p.last = *l;
  p.extension = std::string(name.substr(ext));
  return p;
}

BatchBuilder::BatchBuilder(const BatchOptions* options, ShardId shard)
    : opt_(options), shard_(shard) {}

void BatchBuilder::Add(const StreamRecord& r) {
  if (opt_->error_source) {
    formatter_.FormatRejected(r, &rec_);
  } else {
    formatter_.FormatEvent(r, &rec_);
  }
  group_key_.assign(1, rec_.error ? 'E' : 'D');
  if (!rec_.error) opt_->prefix.AppendGroupKey(group_key_, rec_.values);
  auto it = groups_.find(group_key_);
  const bool inserted = it == groups_.end();
  if (inserted) it = groups_.try_emplace(group_key_).first;
  Group& g = it->second;
  if (inserted) {
    g.encoder = opt_->encoding->make(opt_->compression_level);
    g.error = rec_.error;
    g.first = r.seq;
    g.oldest_arrival_ms = r.arrival_ms;
    g.event_ms = rec_.values.event_ms;
    for (size_t k = 0; k < kPartitionKeyCount; ++k) g.keys[k] = std::string(rec_.values.keys[k]);
  }
  g.last = r.seq;
  g.oldest_arrival_ms = std::min(g.oldest_arrival_ms, r.arrival_ms);
  size_t before = g.encoder->raw_bytes();
  g.encoder->AddLine(rec_.line);
  raw_bytes_ += g.encoder->raw_bytes() - before;
  if (records_ == 0) {
    first_seq_ = r.seq;
    oldest_arrival_ms_ = r.arrival_ms;
  }
  oldest_arrival_ms_ = std::min(oldest_arrival_ms_, r.arrival_ms);
  last_seq_ = r.seq;
  ++records_;
  if (rec_.error) ++error_records_;
}

Result<std::vector<LakeObject>> BatchBuilder::Finish() {
  std::vector<LakeObject> out;
  out.reserve(groups_.size());
  std::vector<std::pair<const std::string, Group>*> ordered;
  ordered.reserve(groups_.size());
  for (auto& entry : groups_) ordered.push_back(&entry);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (auto* entry : ordered) {
    Group& g = entry->second;
    PrefixValues v;
    v.arrival_ms = g.oldest_arrival_ms;
    v.event_ms = g.event_ms;
    v.error_output_type = "processing-failed";
    for (size_t k = 0; k < kPartitionKeyCount; ++k) v.keys[k] = g.keys[k];
    LakeObject o;
    o.error = g.error;
    o.records = g.encoder->lines();
    o.raw_bytes = g.encoder->raw_bytes();
    o.key = (g.error ? opt_->error_prefix : opt_->prefix).Evaluate(v) +
            LakeObjectName(opt_->source, shard_, g.first, g.last, opt_->encoding->extension);
    o.content_type = opt_->encoding->content_type;
    MP_ASSIGN_OR_RETURN(o.data, g.encoder->Finish());
    out.push_back(std::move(o));
  }
  groups_.clear();
  records_ = error_records_ = raw_bytes_ = 0;
  first_seq_ = last_seq_ = SequenceNumber();
  oldest_arrival_ms_ = 0;
  return out;
}

}  // namespace mailpulse
