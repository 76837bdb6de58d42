// One query over one in-memory input: parse, run, format. The smallest
// complete use of the engine, for tests, the fuzzer and tools; the lake
// scanner (lake_scan.h) is the same pipeline over many objects.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "query/executor.h"
#include "query/input.h"
#include "query/output.h"

namespace mailpulse::query {

struct TextQueryOptions {
  InputFormat input = InputFormat::kJson;
  CsvHeader csv_header = CsvHeader::kUse;
  OutputFormat output = OutputFormat::kJson;
  QueryOptions query;
};

// The formatted result; kInvalid for a bad query, the evaluation or input
// error otherwise.
Result<std::string> RunTextQuery(std::string_view sql, std::string_view input,
                                 const TextQueryOptions& options);

}  // namespace mailpulse::query
