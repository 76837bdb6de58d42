// SelectRequest: the XML body of S3's SelectObjectContent
// (POST /{bucket}/{key}?select&select-type=2), read into a plain struct
// (docs/query.md, "S3 Select on the wire"). Only what S3 Select accepts is
// accepted, and a refusal carries S3's error code, so existing clients see
// the errors they know:
//
//   MalformedXML              the body is not a SelectObjectContentRequest
//   MissingRequiredParameter  Expression, ExpressionType, Input/OutputSerialization
//   InvalidExpressionType     ExpressionType other than SQL
//   ExpressionTooLong         Expression over 256 KiB
//   InvalidDataSource         no JSON or CSV input (Parquet: not supported here)
//   InvalidCompressionFormat  CompressionType other than NONE or GZIP (BZIP2 not supported)
//   InvalidFileHeaderInfo     FileHeaderInfo other than USE, IGNORE, NONE
//   InvalidJsonType           JSON Type other than DOCUMENT or LINES
//   InvalidQuoteFields        QuoteFields other than ALWAYS or ASNEEDED
//   InvalidRequestParameter   anything else out of range (delimiters, ScanRange)
//
// Pure function of the body; the body is untrusted (fuzzed with the S3 XML
// reader). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailpulse {

struct SelectCsvInput {
  enum class HeaderInfo { kNone, kUse, kIgnore } header = HeaderInfo::kNone;
  std::string comments;  // lines starting with it are skipped; "" = none
  char field_delimiter = ',';
  std::string record_delimiter = "\n";
  char quote = '"';
  char quote_escape = '"';
  bool allow_quoted_record_delimiter = false;
};

struct SelectCsvOutput {
  bool quote_always = false;  // QuoteFields ALWAYS (else ASNEEDED)
  char field_delimiter = ',';
  std::string record_delimiter = "\n";
  char quote = '"';
  char quote_escape = '"';
};

struct SelectRequest {
  std::string expression;
  enum class Input { kJsonLines, kJsonDocument, kCsv } input = Input::kJsonLines;
  bool gzip = false;  // CompressionType GZIP (whole object)
  SelectCsvInput csv_input;
  enum class Output { kJson, kCsv } output = Output::kJson;
  std::string json_record_delimiter = "\n";
  SelectCsvOutput csv_output;
  bool progress = false;                                    // RequestProgress Enabled
  std::optional<std::pair<uint64_t, uint64_t>> scan_range;  // [start, end] byte offsets
};

// An S3 error: HTTP status, S3 code, message.
struct S3SelectError {
  int http_status = 400;
  std::string code;
  std::string message;
};

inline constexpr size_t kMaxSelectExpressionBytes = 256u << 10;

// Fills *out from the request body, or returns the S3 error to answer.
std::optional<S3SelectError> ParseSelectRequest(std::string_view xml, SelectRequest* out);

// <Error><Code>..</Code><Message>..</Message><Resource>..</Resource></Error>
std::string S3ErrorXml(const S3SelectError& error, std::string_view resource);

}  // namespace mailpulse
