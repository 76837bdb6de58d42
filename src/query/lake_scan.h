// LakeScan: one query over every object of the lake under a prefix (S3
// Select reads one object; this is the same engine over many).
//
//  1. List the prefix page by page (ObjectStore::List, continuation tokens).
//  2. Skip keys the PartitionPruner rules out, and keys of unknown formats.
//  3. Fetch (large objects as parallel ranged GETs), decompress and (JSON)
//     parse objects in parallel on a small TaskPool, a batch at a time: compression by suffix (.gz,
//     .zst through the encoder registry, delivery/encoder.h), format by extension
//     (.json/.jsonl/.ndjson: JSON Lines; .csv: CSV). JSON documents keep
//     only the members the query reads (projection.h).
//  4. Evaluate on the calling thread (CSV is parsed there too), in key
//     order, so results are deterministic; stop listing once the executor is
//     done().
// Memory: at most `threads * 2` objects at once, as parsed (projected)
// documents for JSON, as text for CSV.
// ScanLake is called from one thread; the store must be thread-safe
// (every ObjectStore is).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "query/executor.h"
#include "query/input.h"
#include "query/partition_pruner.h"
#include "storage/object_store.h"

namespace mailpulse::query {

class RootProjection;

struct ScanStats {
  int64_t objects_listed = 0;
  int64_t objects_pruned = 0;   // by partition folders or time
  int64_t objects_skipped = 0;  // not a known format
  int64_t objects_scanned = 0;
  int64_t bytes_scanned = 0;    // as stored
  int64_t bytes_processed = 0;  // decompressed
};

struct LakeScanOptions {
  std::string prefix;  // "" = the whole lake
  CsvHeader csv_header = CsvHeader::kUse;
  int threads = 2;
  int list_page_size = 1000;
  // Objects larger than this are fetched as ranged GETs of this size, up to
  // 4 at once (S3: parallel transfers of one large object); 0 = never.
  uint64_t range_bytes = 8u << 20;
  const RootProjection* projection = nullptr;  // projection.h; nullptr: whole documents
  // Called on the calling thread after each object is evaluated (a progress
  // display); may be empty.
  std::function<void(const ScanStats&)> progress;
};

// How a key is read: nullopt for unknown extensions.
struct ObjectFormat {
  InputFormat format;
  // The decoder for the compression suffix (nullptr: stored as is).
  Result<std::string> (*decode)(std::string_view object);
};
std::optional<ObjectFormat> FormatForKey(std::string_view key);

Result<ScanStats> ScanLake(ObjectStore& store, const LakeScanOptions& options,
                           const PartitionPruner& pruner, QueryExecutor& executor);

}  // namespace mailpulse::query
