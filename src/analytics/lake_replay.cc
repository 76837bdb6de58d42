#include "analytics/lake_replay.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "delivery/batch_builder.h"
#include "delivery/encoder.h"

namespace mailpulse {

namespace {

constexpr std::string_view kEventsSource = "events";
constexpr int kListPage = 1000;

const Encoding* EncodingOf(std::string_view extension) {
  for (const Encoding& e : Encodings()) {
    if (extension == e.extension) return &e;
  }
  return nullptr;
}

}  // namespace

Result<LakeReplayStats> ReplayLake(ObjectStore& lake, uint32_t shard_limit,
                                   KpiEventDecoder& decoder,
                                   const std::function<void(const KpiEvent&)>& apply) {
  LakeReplayStats stats;
  std::unordered_set<std::string> names;
  std::string token;
  KpiEvent e;
  do {
    MP_ASSIGN_OR_RETURN(ListPage page, lake.List("", token, kListPage));
    token = page.next_token;
    for (const ObjectInfo& o : page.objects) {
      std::string_view name = o.key;
      name.remove_prefix(std::min(name.size(), name.rfind('/') + 1));
      auto parts = ParseLakeObjectName(name);
      if (!parts || parts->source != kEventsSource) continue;
      const Encoding* enc = EncodingOf(parts->extension);
      if (enc == nullptr) continue;
      if (parts->shard.value() >= shard_limit) {
        return Status::Invalid("lake object " + o.key + " is of shard " +
                               std::to_string(parts->shard.value()) +
                               ", which the stream never had (its shard ids are below " +
                               std::to_string(shard_limit) + ")");
      }
      if (!names.insert(std::string(name)).second) {
        ++stats.duplicate_objects;
        spdlog::warn("rebuild: {} repeats an object already read under another prefix; skipped",
                     o.key);
        continue;
      }
      MP_ASSIGN_OR_RETURN(std::string bytes, lake.Get(o.key));
      auto lines = enc->decode(bytes);
      if (!lines.ok()) {
        return Status::Corruption("lake object " + o.key + ": " + lines.status().message());
      }
      std::string_view rest = *lines;
      while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        if (line.empty()) continue;
        if (decoder.Decode(line, &e).ok()) {
          apply(e);
          ++stats.lines;
        } else {
          ++stats.skipped;
        }
      }
      ++stats.objects;
      SequenceNumber& pos = stats.positions[parts->shard];
      pos = std::max(pos, parts->last);
    }
  } while (!token.empty());
  return stats;
}

}  // namespace mailpulse
