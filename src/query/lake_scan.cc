#include "query/lake_scan.h"

#include <fmt/format.h>

#include <functional>
#include <thread>
#include <vector>

#include "common/task_pool.h"
#include "delivery/encoder.h"

namespace mailpulse::query {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One object, filled by a pool task: its decompressed text and, for JSON,
// its documents already parsed (the calling thread then only evaluates).
struct Loaded {
  std::string key;
  uint64_t size = 0;  // from the listing
  ObjectFormat format;
  Status status;
  std::string text;
  int64_t text_bytes = 0;
  std::vector<Value> docs;
  bool parsed = false;
  int64_t stored_bytes = 0;
};

// The whole object: one GET, or ranged GETs of `range_bytes`, 4 at a time.
Result<std::string> Fetch(ObjectStore& store, const std::string& key, uint64_t size,
                          uint64_t range_bytes) {
  if (range_bytes == 0 || size <= range_bytes) return store.Get(key);
  const uint64_t ranges = (size + range_bytes - 1) / range_bytes;
  std::vector<Result<std::string>> parts(ranges, Result<std::string>(std::string()));
  constexpr uint64_t kInFlight = 4;
  for (uint64_t first = 0; first < ranges; first += kInFlight) {
    std::vector<std::thread> fetchers;
    for (uint64_t r = first; r < std::min(ranges, first + kInFlight); ++r) {
      fetchers.emplace_back(
          [&, r] { parts[r] = store.GetRange(key, r * range_bytes, range_bytes); });
    }
    for (std::thread& t : fetchers) t.join();
  }
  std::string out;
  out.reserve(size);
  for (Result<std::string>& p : parts) {
    if (!p.ok()) return p.status();
    out += *p;
  }
  if (out.size() != size) {
    return Status::Retry(key + ": object changed while it was read (" + std::to_string(out.size()) +
                         " bytes, listed " + std::to_string(size) + ")");
  }
  return out;
}

void Load(ObjectStore& store, const RootProjection* projection, uint64_t range_bytes, Loaded* out) {
  Result<std::string> bytes = Fetch(store, out->key, out->size, range_bytes);
  if (!bytes.ok()) {
    out->status = Status(bytes.status().kind(), out->key + ": " + bytes.status().message());
    return;
  }
  out->stored_bytes = static_cast<int64_t>(bytes->size());
  if (out->format.decode != nullptr) {
    Result<std::string> decoded = out->format.decode(*bytes);
    if (!decoded.ok()) {
      out->status = Status::Corruption(out->key + ": " + decoded.status().message());
      return;
    }
    out->text = std::move(*decoded);
  } else {
    out->text = std::move(*bytes);
  }
  out->text_bytes = static_cast<int64_t>(out->text.size());
  if (out->format.format != InputFormat::kJson) return;
  // Parsing is most of a scan's work: do it here, on the pool, in parallel.
  thread_local InputReader reader(InputFormat::kJson, CsvHeader::kUse);
  reader.SetProjection(projection);
  out->status = reader.Read(out->text, out->key, [out](const Value& doc, bool*) {
    out->docs.push_back(doc);
    return Status::Ok();
  });
  out->parsed = true;
  std::string().swap(out->text);
}

}  // namespace

std::optional<ObjectFormat> FormatForKey(std::string_view key) {
  ObjectFormat f{InputFormat::kJson, nullptr};
  // Compression: the suffix after the format part of an encoding's extension
  // (".json.gz" -> ".gz").
  for (const Encoding& e : Encodings()) {
    std::string_view ext = e.extension;
    size_t second_dot = ext.find('.', 1);
    if (second_dot == std::string_view::npos) continue;
    std::string_view suffix = ext.substr(second_dot);
    if (EndsWith(key, suffix)) {
      f.decode = e.decode;
      key.remove_suffix(suffix.size());
      break;
    }
  }
  for (const char* ext : {".json", ".jsonl", ".ndjson"}) {
    if (EndsWith(key, ext)) return f;
  }
  if (EndsWith(key, ".csv")) {
    f.format = InputFormat::kCsv;
    return f;
  }
  return std::nullopt;
}

Result<ScanStats> ScanLake(ObjectStore& store, const LakeScanOptions& options,
                           const PartitionPruner& pruner, QueryExecutor& executor) {
  ScanStats stats;
  int threads = std::max(1, options.threads);
  TaskPool pool(threads, "mp-query");
  const size_t batch = static_cast<size_t>(threads) * 2;
  struct Queued {
    std::string key;
    uint64_t size;
    ObjectFormat format;
  };
  std::vector<Queued> queue;

  InputReader csv(InputFormat::kCsv, options.csv_header);
  auto run_batch = [&]() -> Status {
    std::vector<Loaded> loaded(queue.size());
    std::vector<std::function<void()>> tasks;
    for (size_t i = 0; i < queue.size(); ++i) {
      loaded[i].key = std::move(queue[i].key);
      loaded[i].size = queue[i].size;
      loaded[i].format = queue[i].format;
      tasks.push_back([&store, &options, l = &loaded[i]] {
        Load(store, options.projection, options.range_bytes, l);
      });
    }
    pool.RunAll(std::move(tasks));
    queue.clear();
    for (Loaded& l : loaded) {
      if (executor.done()) break;
      MP_RETURN_IF_ERROR(l.status);
      ++stats.objects_scanned;
      if (options.progress) options.progress(stats);
      stats.bytes_scanned += l.stored_bytes;
      stats.bytes_processed += l.text_bytes;
      if (l.parsed) {
        for (const Value& doc : l.docs) {
          MP_RETURN_IF_ERROR(executor.AddDocument(doc));
          if (executor.done()) break;
        }
        std::vector<Value>().swap(l.docs);  // free as we go
        continue;
      }
      // JSON was parsed by Load; only CSV is read here (its header options).
      MP_RETURN_IF_ERROR(csv.Read(l.text, l.key, [&](const Value& doc, bool* stop) {
        Status st = executor.AddDocument(doc);
        *stop = executor.done();
        return st;
      }));
      std::string().swap(l.text);  // free as we go
    }
    return Status::Ok();
  };

  std::string token;
  do {
    MP_ASSIGN_OR_RETURN(ListPage page, store.List(options.prefix, token, options.list_page_size));
    for (const ObjectInfo& o : page.objects) {
      ++stats.objects_listed;
      if (!pruner.MayMatch(o.key)) {
        ++stats.objects_pruned;
        continue;
      }
      std::optional<ObjectFormat> f = FormatForKey(o.key);
      if (!f.has_value()) {
        ++stats.objects_skipped;
        continue;
      }
      queue.push_back({o.key, o.size, *f});
      if (queue.size() >= batch) MP_RETURN_IF_ERROR(run_batch());
      if (executor.done()) return stats;
    }
    token = page.next_token;
  } while (!token.empty() && !executor.done());
  if (!queue.empty()) MP_RETURN_IF_ERROR(run_batch());
  return stats;
}

}  // namespace mailpulse::query
