#include "query/s3select/select_request.h"

#include <charconv>

#include "common/xml_text.h"

namespace mailpulse {
namespace {

S3SelectError Err(std::string code, std::string message) {
  return S3SelectError{400, std::move(code), std::move(message)};
}

// The inner text of the first <name> of xml, undecoded; nullopt if absent.
std::optional<std::string_view> Inner(std::string_view xml, std::string_view name,
                                      bool* malformed) {
  ElementScanner scan(xml, name);
  std::string_view inner;
  if (!scan.Next(&inner, malformed)) return std::nullopt;
  return inner;
}

// Decoded text of <name> inside xml: nullopt if absent; error on bad XML.
std::optional<S3SelectError> Text(std::string_view xml, std::string_view name,
                                  std::optional<std::string>* out) {
  bool malformed = false;
  std::optional<std::string_view> inner = Inner(xml, name, &malformed);
  if (malformed) return Err("MalformedXML", "unterminated <" + std::string(name) + ">");
  if (!inner) {
    out->reset();
    return std::nullopt;
  }
  Result<std::string> text = XmlUnescape(*inner);
  if (!text.ok()) return Err("MalformedXML", text.status().message());
  *out = std::move(*text);
  return std::nullopt;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One-character settings (delimiters, quotes); S3 also allows "" for none on
// some of them, which this reader refuses as out of range.
std::optional<S3SelectError> OneChar(std::string_view xml, std::string_view name, char* out) {
  std::optional<std::string> t;
  if (auto e = Text(xml, name, &t)) return e;
  if (!t) return std::nullopt;
  if (t->size() != 1) {
    return Err("InvalidRequestParameter",
               std::string(name) + " must be one character, got '" + *t + "'");
  }
  *out = (*t)[0];
  return std::nullopt;
}

std::optional<S3SelectError> Delimiter(std::string_view xml, std::string_view name,
                                       std::string* out) {
  std::optional<std::string> t;
  if (auto e = Text(xml, name, &t)) return e;
  if (!t) return std::nullopt;
  if (t->empty() || t->size() > 2) {
    return Err("InvalidRequestParameter", std::string(name) + " must be 1 or 2 characters");
  }
  *out = *t;
  return std::nullopt;
}

std::optional<S3SelectError> ParseCsvInput(std::string_view csv, SelectCsvInput* in) {
  std::optional<std::string> header;
  if (auto e = Text(csv, "FileHeaderInfo", &header)) return e;
  if (header) {
    std::string h = Upper(*header);
    if (h == "USE") {
      in->header = SelectCsvInput::HeaderInfo::kUse;
    } else if (h == "IGNORE") {
      in->header = SelectCsvInput::HeaderInfo::kIgnore;
    } else if (h == "NONE") {
      in->header = SelectCsvInput::HeaderInfo::kNone;
    } else {
      return Err("InvalidFileHeaderInfo",
                 "FileHeaderInfo must be USE, IGNORE or NONE, got '" + *header + "'");
    }
  }
  std::optional<std::string> comments;
  if (auto e = Text(csv, "Comments", &comments)) return e;
  if (comments) in->comments = *comments;
  if (auto e = OneChar(csv, "FieldDelimiter", &in->field_delimiter)) return e;
  if (auto e = Delimiter(csv, "RecordDelimiter", &in->record_delimiter)) return e;
  if (auto e = OneChar(csv, "QuoteCharacter", &in->quote)) return e;
  if (auto e = OneChar(csv, "QuoteEscapeCharacter", &in->quote_escape)) return e;
  std::optional<std::string> allow;
  if (auto e = Text(csv, "AllowQuotedRecordDelimiter", &allow)) return e;
  if (allow) in->allow_quoted_record_delimiter = Upper(*allow) == "TRUE";
  return std::nullopt;
}

std::optional<S3SelectError> ParseCsvOutput(std::string_view csv, SelectCsvOutput* out) {
  std::optional<std::string> quote_fields;
  if (auto e = Text(csv, "QuoteFields", &quote_fields)) return e;
  if (quote_fields) {
    std::string q = Upper(*quote_fields);
    if (q != "ALWAYS" && q != "ASNEEDED") {
      return Err("InvalidQuoteFields",
                 "QuoteFields must be ALWAYS or ASNEEDED, got '" + *quote_fields + "'");
    }
    out->quote_always = q == "ALWAYS";
  }
  if (auto e = OneChar(csv, "FieldDelimiter", &out->field_delimiter)) return e;
  if (auto e = Delimiter(csv, "RecordDelimiter", &out->record_delimiter)) return e;
  if (auto e = OneChar(csv, "QuoteCharacter", &out->quote)) return e;
  if (auto e = OneChar(csv, "QuoteEscapeCharacter", &out->quote_escape)) return e;
  return std::nullopt;
}

std::optional<S3SelectError> ParseInput(std::string_view input, SelectRequest* out) {
  std::optional<std::string> compression;
  if (auto e = Text(input, "CompressionType", &compression)) return e;
  if (compression) {
    std::string c = Upper(*compression);
    if (c == "GZIP") {
      out->gzip = true;
    } else if (c != "NONE") {
      return Err("InvalidCompressionFormat",
                 "CompressionType must be NONE or GZIP here, got '" + *compression + "'");
    }
  }
  bool malformed = false;
  std::optional<std::string_view> json = Inner(input, "JSON", &malformed);
  std::optional<std::string_view> csv = Inner(input, "CSV", &malformed);
  std::optional<std::string_view> parquet = Inner(input, "Parquet", &malformed);
  if (malformed) return Err("MalformedXML", "unterminated element in <InputSerialization>");
  if (int(json.has_value()) + int(csv.has_value()) + int(parquet.has_value()) > 1) {
    return Err("InvalidRequestParameter", "InputSerialization must name exactly one format");
  }
  if (json) {
    std::optional<std::string> type;
    if (auto e = Text(*json, "Type", &type)) return e;
    std::string t = type ? Upper(*type) : "DOCUMENT";
    if (t == "LINES") {
      out->input = SelectRequest::Input::kJsonLines;
    } else if (t == "DOCUMENT") {
      out->input = SelectRequest::Input::kJsonDocument;
    } else {
      return Err("InvalidJsonType", "JSON Type must be DOCUMENT or LINES, got '" + *type + "'");
    }
    return std::nullopt;
  }
  if (csv) {
    out->input = SelectRequest::Input::kCsv;
    return ParseCsvInput(*csv, &out->csv_input);
  }
  if (parquet) return Err("InvalidDataSource", "Parquet input is not supported by mailpulse");
  return Err("InvalidDataSource", "InputSerialization must contain JSON or CSV");
}

std::optional<S3SelectError> ParseOutput(std::string_view output, SelectRequest* out) {
  bool malformed = false;
  std::optional<std::string_view> json = Inner(output, "JSON", &malformed);
  std::optional<std::string_view> csv = Inner(output, "CSV", &malformed);
  if (malformed) return Err("MalformedXML", "unterminated element in <OutputSerialization>");
  if (json.has_value() == csv.has_value()) {
    return Err("InvalidRequestParameter",
               "OutputSerialization must contain exactly one of JSON, CSV");
  }
  if (json) {
    out->output = SelectRequest::Output::kJson;
    return Delimiter(*json, "RecordDelimiter", &out->json_record_delimiter);
  }
  out->output = SelectRequest::Output::kCsv;
  return ParseCsvOutput(*csv, &out->csv_output);
}

std::optional<S3SelectError> ParseScanRange(std::string_view range, SelectRequest* out) {
  std::optional<std::string> start, end;
  if (auto e = Text(range, "Start", &start)) return e;
  if (auto e = Text(range, "End", &end)) return e;
  auto number = [](const std::optional<std::string>& t, uint64_t fallback, uint64_t* v) {
    if (!t) {
      *v = fallback;
      return true;
    }
    auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), *v);
    return !t->empty() && ec == std::errc() && p == t->data() + t->size();
  };
  uint64_t s = 0, e = 0;
  if (!start && !end) return Err("InvalidRequestParameter", "ScanRange needs Start or End");
  if (!number(start, 0, &s) || !number(end, UINT64_MAX, &e) || s > e) {
    return Err("InvalidRequestParameter",
               "ScanRange Start and End must be byte offsets, Start <= End");
  }
  out->scan_range = std::make_pair(s, e);
  return std::nullopt;
}

}  // namespace

std::optional<S3SelectError> ParseSelectRequest(std::string_view xml, SelectRequest* out) {
  *out = SelectRequest();
  bool malformed = false;
  std::optional<std::string_view> root = Inner(xml, "SelectObjectContentRequest", &malformed);
  if (malformed || !root) {
    return Err("MalformedXML", "the body is not a <SelectObjectContentRequest> document");
  }
  std::optional<std::string> expression, type;
  if (auto e = Text(*root, "Expression", &expression)) return e;
  if (auto e = Text(*root, "ExpressionType", &type)) return e;
  if (!expression || expression->empty()) {
    return Err("MissingRequiredParameter", "the request has no Expression");
  }
  if (expression->size() > kMaxSelectExpressionBytes) {
    return Err("ExpressionTooLong", "the Expression is longer than 256 KiB");
  }
  if (!type) return Err("MissingRequiredParameter", "the request has no ExpressionType");
  if (Upper(*type) != "SQL") {
    return Err("InvalidExpressionType",
               "The ExpressionType is invalid. Only SQL expressions are supported.");
  }
  out->expression = std::move(*expression);
  std::optional<std::string_view> input = Inner(*root, "InputSerialization", &malformed);
  std::optional<std::string_view> output = Inner(*root, "OutputSerialization", &malformed);
  if (malformed) return Err("MalformedXML", "unterminated serialization element");
  if (!input) return Err("MissingRequiredParameter", "the request has no InputSerialization");
  if (!output) return Err("MissingRequiredParameter", "the request has no OutputSerialization");
  if (auto e = ParseInput(*input, out)) return e;
  if (auto e = ParseOutput(*output, out)) return e;
  if (std::optional<std::string_view> progress = Inner(*root, "RequestProgress", &malformed)) {
    std::optional<std::string> enabled;
    if (auto e = Text(*progress, "Enabled", &enabled)) return e;
    out->progress = enabled && Upper(*enabled) == "TRUE";
  }
  if (std::optional<std::string_view> range = Inner(*root, "ScanRange", &malformed)) {
    if (auto e = ParseScanRange(*range, out)) return e;
  }
  if (malformed) return Err("MalformedXML", "unterminated element");
  return std::nullopt;
}

std::string S3ErrorXml(const S3SelectError& error, std::string_view resource) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + XmlEscape(error.code) +
         "</Code><Message>" + XmlEscape(error.message) + "</Message><Resource>" +
         XmlEscape(resource) + "</Resource></Error>";
}

}  // namespace mailpulse
