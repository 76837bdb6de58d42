// Output formats: result records -> text, pushed to a write callback in
// chunks (stdout for the CLI, a string in tests).
//
//  json   JSON Lines, S3 Select's shape: {"name":value,...}, MISSING columns
//         left out ({} when all are), nested values as JSON.
//  csv    S3 Select's defaults: ',' between fields, '\n' after records,
//         quotes only around fields holding ',', '"', CR or LF ("" inside);
//         NULL and MISSING are empty fields; nested values as JSON text.
//  table  aligned columns with a header for people (buffers every record,
//         up to max_rows, then prints in Finish).
// Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/executor.h"

namespace mailpulse::query {

enum class OutputFormat { kJson, kCsv, kTable };
// "json" | "csv" | "table"; kInvalid otherwise.
Result<OutputFormat> ParseOutputFormat(std::string_view name);

class OutputWriter final : public RecordSink {
 public:
  using WriteFn = std::function<void(std::string_view)>;
  OutputWriter(OutputFormat format, WriteFn write, int64_t max_rows = 1'000'000)
      : format_(format), write_(std::move(write)), max_rows_(max_rows) {}

  Status Write(const Record& record) override;
  // Flushes what is buffered; call once at the end.
  void Finish();

 private:
  void Flush();

  OutputFormat format_;
  WriteFn write_;
  int64_t max_rows_;
  std::string buf_;
  std::vector<Record> table_;
};

// One CSV field, quoted as needed (S3 Select's QuoteFields=ASNEEDED).
void AppendCsvField(std::string& out, std::string_view field);

}  // namespace mailpulse::query
