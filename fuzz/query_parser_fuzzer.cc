// Fuzzes the SQL front end (untrusted text from the CLI and, later, the
// query API): the lexer, the parser, and — for queries that parse — the
// executor over a small fixed JSON input, with tight limits. Must never
// crash, hang or read out of bounds; errors are values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/lexer.h"
#include "query/parser.h"
#include "query/text_query.h"

using namespace mailpulse;
using namespace mailpulse::query;

namespace {

constexpr std::string_view kInput =
    "{\"a\":1,\"b\":\"x\",\"c\":[1,{\"d\":null}],\"e\":{\"f\":2.5},\"t\":\"2010-01-01T\"}\n"
    "{\"a\":-3,\"b\":\"Y_%\",\"c\":[],\"g\":true}\n"
    "{}\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  Result<std::vector<Token>> tokens = Tokenize(sql);
  if (tokens.ok() && (tokens->empty() || tokens->back().kind != TokenKind::kEnd)) std::abort();
  Result<SelectStatement> st = ParseQuery(sql);
  if (!st.ok()) {
    if (st.status().kind() != ErrorKind::kInvalid) std::abort();
    return 0;
  }
  // Every expression prints (ToString walks the whole tree).
  for (const SelectItem& item : st->items) (void)item.expr->ToString();
  TextQueryOptions options;
  options.query.limits.max_buffered_rows = 1000;
  options.query.limits.max_groups = 1000;
  options.query.limits.timeout = std::chrono::milliseconds(1000);
  (void)RunTextQuery(sql, kInput, options);
  return 0;
}
