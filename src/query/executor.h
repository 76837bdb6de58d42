// QueryExecutor: runs one parsed SELECT over a stream of input documents
// (each one element of S3Object: one JSON line, one CSV row) and writes the
// result records to a RecordSink.
//
//   FROM path expansion -> WHERE -> (GROUP BY + aggregates -> HAVING)
//   -> SELECT list -> ORDER BY -> LIMIT
//
// Without aggregates or ORDER BY, records stream out as documents arrive and
// done() turns true once LIMIT is reached, so the caller can stop reading.
// Aggregates, groups and ORDER BY buffer in memory up to QueryLimits; past a
// limit, or past the deadline, the query stops with a kFail naming the limit.
//
// Thread-compatible: one executor is fed from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "query/aggregate.h"
#include "query/ast.h"
#include "query/evaluator.h"

namespace mailpulse::query {

// One output record: columns in order. MISSING columns are kept (CSV needs
// their place); JSON output leaves them out.
using Record = Value::Struct;

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status Write(const Record& record) = 0;
};

struct QueryLimits {
  int64_t max_buffered_rows = 1'000'000;  // rows held for ORDER BY
  int64_t max_groups = 100'000;           // GROUP BY groups and DISTINCT values
  std::chrono::milliseconds timeout{0};   // 0: no limit
};

struct QueryOptions {
  QueryLimits limits;
  Timestamp now;  // UTCNOW()
};

class QueryExecutor {
 public:
  // kInvalid when the statement is not executable: aggregates in WHERE or
  // GROUP BY, SELECT * with aggregates, a column outside GROUP BY.
  static Result<std::unique_ptr<QueryExecutor>> Create(const SelectStatement* statement,
                                                       const QueryOptions& options,
                                                       RecordSink* sink);

  Status AddDocument(const Value& document);
  // LIMIT reached: further documents cannot change the result.
  bool done() const { return done_; }
  // Emits buffered results (groups, ORDER BY). Call once, after the input.
  Status Finish();

  int64_t documents() const { return documents_; }
  int64_t records_written() const { return written_; }

 private:
  struct Group {
    Value first_row;
    std::vector<AggregateState> states;
  };
  struct Pending {
    Record record;
    std::vector<Value> keys;
  };

  QueryExecutor(const SelectStatement* st, const QueryOptions& options, RecordSink* sink);
  Status Validate();
  Status AddRow(const Value& row);
  Result<Record> Project(const EvalEnv& env) const;
  Result<std::vector<Value>> OrderKeys(const Record& record, const EvalEnv& env) const;
  Status Emit(Record record, const EvalEnv& env);
  Status CheckDeadline();

  const SelectStatement* st_;
  QueryOptions options_;
  RecordSink* sink_;
  EvalContext ctx_;
  bool aggregate_ = false;
  std::vector<const Expr*> aggregates_;  // by slot
  std::vector<std::string> names_;       // output column names
  std::unordered_map<std::string, size_t> group_index_;
  std::vector<Group> groups_;
  std::vector<Pending> pending_;
  std::chrono::steady_clock::time_point deadline_;
  int64_t documents_ = 0;
  int64_t written_ = 0;
  bool done_ = false;
};

}  // namespace mailpulse::query
