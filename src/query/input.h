// Input formats: the bytes of one object (already decompressed) -> the
// documents a query reads, handed one at a time to a callback.
//
//  JSON  JSON Lines (S3 Select's JSON Type=LINES): one value per line,
//        parsed with simdjson's DOM; blank lines are skipped; a malformed
//        line is a kCorruption naming the source and line.
//  CSV   RFC 4180 with S3 Select's defaults (',' fields, '"' quotes, doubled
//        quotes inside quotes, quoted newlines); every value is a STRING.
//        FileHeaderInfo: USE (first row names the columns; `_N` still works),
//        IGNORE (first row skipped; columns `_1`, `_2`, ...), NONE (no header).
//
// A reader is reused across objects by one thread; not thread-safe.
#pragma once

#include <simdjson.h>

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/value.h"

namespace mailpulse::query {

enum class InputFormat { kJson, kCsv };
enum class CsvHeader { kUse, kIgnore, kNone };

// Return kOk to continue; a non-ok Status stops the read and is returned.
// `stop` lets the consumer end the read early (LIMIT reached).
using DocumentFn = std::function<Status(const Value& document, bool* stop)>;

// One simdjson element as a Value (objects keep member order).
Value JsonToValue(simdjson::dom::element e);

class RootProjection;  // projection.h

class InputReader {
 public:
  InputReader(InputFormat format, CsvHeader header) : format_(format), header_(header) {}
  // JSON documents keep only the top-level members `projection` keeps
  // (nullptr: all). Must outlive the reads.
  void SetProjection(const RootProjection* projection) { projection_ = projection; }
  // `source` names the object in error messages.
  Status Read(std::string_view text, const std::string& source, const DocumentFn& fn);

 private:
  Status ReadJsonLines(std::string_view text, const std::string& source, const DocumentFn& fn);
  Status ReadCsv(std::string_view text, const std::string& source, const DocumentFn& fn);

  InputFormat format_;
  CsvHeader header_;
  const RootProjection* projection_ = nullptr;
  simdjson::dom::parser parser_;
};

}  // namespace mailpulse::query
