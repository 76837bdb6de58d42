#include "query/text_query.h"

#include "query/parser.h"
#include "query/projection.h"

namespace mailpulse::query {

Result<std::string> RunTextQuery(std::string_view sql, std::string_view input,
                                 const TextQueryOptions& options) {
  MP_ASSIGN_OR_RETURN(SelectStatement st, ParseQuery(sql));
  std::string out;
  OutputWriter writer(
      options.output, [&](std::string_view s) { out.append(s); },
      options.query.limits.max_buffered_rows);
  MP_ASSIGN_OR_RETURN(std::unique_ptr<QueryExecutor> ex,
                      QueryExecutor::Create(&st, options.query, &writer));
  InputReader reader(options.input, options.csv_header);
  // The same member projection as lake scans, so every SQL test covers it.
  std::optional<RootProjection> projection = ProjectionOf(st);
  if (projection) reader.SetProjection(&*projection);
  MP_RETURN_IF_ERROR(reader.Read(input, "input", [&](const Value& doc, bool* stop) {
    Status s = ex->AddDocument(doc);
    *stop = ex->done();
    return s;
  }));
  MP_RETURN_IF_ERROR(ex->Finish());
  writer.Finish();
  return out;
}

}  // namespace mailpulse::query
