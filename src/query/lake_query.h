// LakeQuery: one SQL query over the lake, prepared once and run to a writer —
// the part `mailpulse query` and `POST /v1/query` share (docs/query.md).
//
// Prepare parses the SQL (kInvalid names line and column), builds and
// validates the executor with the configured limits (kInvalid for a query
// that cannot run), and the partition pruner from the WHERE clause and the
// since/until window: every refusal comes before any output. Run (once) lists, prunes, fetches and
// evaluates (query/lake_scan.h) and pushes formatted output to `write` in
// chunks as records are produced. `cancelled` (optional) is polled per
// record: when it turns true the run stops with kFail ("cancelled").
//
// Thread-compatible: one LakeQuery runs on one thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "query/executor.h"
#include "query/input.h"
#include "query/lake_scan.h"
#include "query/output.h"
#include "query/parser.h"
#include "query/partition_pruner.h"
#include "query/projection.h"
#include "storage/object_store.h"

namespace mailpulse::query {

struct LakeQuerySpec {
  std::string sql;
  std::optional<std::string> prefix;  // nullopt: LakeQueryConfig::default_prefix
  std::optional<UnixMillis> since, until;
  OutputFormat output = OutputFormat::kJson;
  CsvHeader csv_header = CsvHeader::kUse;
};

struct LakeQueryConfig {
  QueryLimits limits;
  int threads = 2;
  std::string default_prefix;  // e.g. "events/": the fixed start of lake_prefix
};

// "events/event_type=!{...}/..." -> "events/": the part of a Firehose-style
// prefix before its first expression, up to the last '/'.
std::string StaticPrefix(const std::string& prefix_template);

class LakeQuery {
 public:
  static Result<std::unique_ptr<LakeQuery>> Prepare(const LakeQuerySpec& spec,
                                                    const LakeQueryConfig& config, UnixMillis now);

  Result<ScanStats> Run(ObjectStore& store, OutputWriter::WriteFn write,
                        const std::atomic<bool>* cancelled = nullptr,
                        std::function<void(const ScanStats&)> progress = {});

  int64_t documents() const { return executor_ ? executor_->documents() : 0; }
  int64_t records() const { return executor_ ? executor_->records_written() : 0; }
  const PartitionPruner& pruner() const { return pruner_; }
  const std::string& prefix() const { return prefix_; }

 private:
  class Sink;
  LakeQuery();

 public:
  ~LakeQuery();

 private:
  LakeQuerySpec spec_;
  LakeQueryConfig config_;
  std::string prefix_;
  SelectStatement statement_;
  QueryOptions options_;
  PartitionPruner pruner_;
  std::optional<RootProjection> projection_;
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<QueryExecutor> executor_;
};

}  // namespace mailpulse::query
