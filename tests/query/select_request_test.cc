// SelectObjectContent request bodies: what S3 accepts is read exactly; what
// it refuses gets S3's error code.
#include "query/s3select/select_request.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

std::string Body(std::string_view inner) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<SelectObjectContentRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
         std::string(inner) + "</SelectObjectContentRequest>";
}

constexpr std::string_view kJsonLinesToJson =
    "<Expression>SELECT s.event FROM S3Object s WHERE s.n &gt; 1</Expression>"
    "<ExpressionType>SQL</ExpressionType>"
    "<InputSerialization><CompressionType>GZIP</CompressionType><JSON><Type>LINES</Type></JSON>"
    "</InputSerialization>"
    "<OutputSerialization><JSON><RecordDelimiter>,</RecordDelimiter></JSON></OutputSerialization>";

TEST(SelectRequestTest, JsonLinesGzipToJson) {
  SelectRequest r;
  auto err = ParseSelectRequest(Body(kJsonLinesToJson), &r);
  ASSERT_FALSE(err) << err->code << ": " << err->message;
  EXPECT_EQ(r.expression, "SELECT s.event FROM S3Object s WHERE s.n > 1");
  EXPECT_EQ(r.input, SelectRequest::Input::kJsonLines);
  EXPECT_TRUE(r.gzip);
  EXPECT_EQ(r.output, SelectRequest::Output::kJson);
  EXPECT_EQ(r.json_record_delimiter, ",");
  EXPECT_FALSE(r.progress);
  EXPECT_FALSE(r.scan_range);
}

// The request of MinIO's CSV tests (reference: shared AWS facts, 3.1).
TEST(SelectRequestTest, MinioCsvRequest) {
  SelectRequest r;
  auto err = ParseSelectRequest(
      Body("<Expression>SELECT one, two, three from S3Object</Expression>"
           "<ExpressionType>SQL</ExpressionType>"
           "<InputSerialization><CompressionType>NONE</CompressionType><CSV>"
           "<FieldDelimiter>,</FieldDelimiter><FileHeaderInfo>USE</FileHeaderInfo>"
           "<QuoteCharacter>\"</QuoteCharacter><QuoteEscapeCharacter>\"</QuoteEscapeCharacter>"
           "<RecordDelimiter>\n</RecordDelimiter></CSV></InputSerialization>"
           "<OutputSerialization><CSV></CSV></OutputSerialization>"
           "<RequestProgress><Enabled>FALSE</Enabled></RequestProgress>"),
      &r);
  ASSERT_FALSE(err) << err->code << ": " << err->message;
  EXPECT_EQ(r.input, SelectRequest::Input::kCsv);
  EXPECT_FALSE(r.gzip);
  EXPECT_EQ(r.csv_input.header, SelectCsvInput::HeaderInfo::kUse);
  EXPECT_EQ(r.csv_input.field_delimiter, ',');
  EXPECT_EQ(r.csv_input.record_delimiter, "\n");
  EXPECT_EQ(r.output, SelectRequest::Output::kCsv);
  EXPECT_FALSE(r.csv_output.quote_always);
  EXPECT_FALSE(r.progress);
}

TEST(SelectRequestTest, CsvOutputOptionsProgressAndScanRange) {
  SelectRequest r;
  auto err = ParseSelectRequest(
      Body("<Expression>SELECT * FROM S3Object</Expression><ExpressionType>sql</ExpressionType>"
           "<InputSerialization><CSV><FileHeaderInfo>ignore</FileHeaderInfo>"
           "<Comments>#</Comments><FieldDelimiter>\t</FieldDelimiter></CSV></InputSerialization>"
           "<OutputSerialization><CSV><QuoteFields>ALWAYS</QuoteFields>"
           "<FieldDelimiter>;</FieldDelimiter><RecordDelimiter>\r\n</RecordDelimiter>"
           "</CSV></OutputSerialization>"
           "<RequestProgress><Enabled>TRUE</Enabled></RequestProgress>"
           "<ScanRange><Start>1</Start><End>4</End></ScanRange>"),
      &r);
  ASSERT_FALSE(err) << err->code << ": " << err->message;
  EXPECT_EQ(r.csv_input.header, SelectCsvInput::HeaderInfo::kIgnore);
  EXPECT_EQ(r.csv_input.comments, "#");
  EXPECT_EQ(r.csv_input.field_delimiter, '\t');
  EXPECT_TRUE(r.csv_output.quote_always);
  EXPECT_EQ(r.csv_output.field_delimiter, ';');
  EXPECT_EQ(r.csv_output.record_delimiter, "\r\n");
  EXPECT_TRUE(r.progress);
  ASSERT_TRUE(r.scan_range);
  EXPECT_EQ(r.scan_range->first, 1u);
  EXPECT_EQ(r.scan_range->second, 4u);
}

TEST(SelectRequestTest, JsonTypeDefaultsToDocument) {
  SelectRequest r;
  auto err = ParseSelectRequest(
      Body("<Expression>SELECT * FROM S3Object</Expression><ExpressionType>SQL</ExpressionType>"
           "<InputSerialization><JSON></JSON></InputSerialization>"
           "<OutputSerialization><JSON/></OutputSerialization>"),
      &r);
  ASSERT_FALSE(err) << err->code << ": " << err->message;
  EXPECT_EQ(r.input, SelectRequest::Input::kJsonDocument);
  EXPECT_EQ(r.json_record_delimiter, "\n");
}

struct Refusal {
  const char* name;
  std::string body;
  const char* code;
};

TEST(SelectRequestTest, RefusalsCarryS3Codes) {
  const std::string json_in =
      "<InputSerialization><JSON><Type>LINES</Type></JSON></InputSerialization>";
  const std::string json_out = "<OutputSerialization><JSON/></OutputSerialization>";
  const std::string expr = "<Expression>SELECT * FROM S3Object</Expression>";
  const std::string sql = "<ExpressionType>SQL</ExpressionType>";
  const Refusal cases[] = {
      {"not the document", "<Other/>", "MalformedXML"},
      {"unterminated root", "<SelectObjectContentRequest><Expression>x", "MalformedXML"},
      {"no expression", Body(sql + json_in + json_out), "MissingRequiredParameter"},
      {"no type", Body(expr + json_in + json_out), "MissingRequiredParameter"},
      {"type not SQL", Body(expr + "<ExpressionType>XPATH</ExpressionType>" + json_in + json_out),
       "InvalidExpressionType"},
      {"too long",
       Body("<Expression>" + std::string(kMaxSelectExpressionBytes + 1, 'x') + "</Expression>" +
            sql + json_in + json_out),
       "ExpressionTooLong"},
      {"no input", Body(expr + sql + json_out), "MissingRequiredParameter"},
      {"no output", Body(expr + sql + json_in), "MissingRequiredParameter"},
      {"bzip2",
       Body(expr + sql + "<InputSerialization><CompressionType>BZIP2</CompressionType><JSON/>" +
            "</InputSerialization>" + json_out),
       "InvalidCompressionFormat"},
      {"parquet",
       Body(expr + sql + "<InputSerialization><Parquet/></InputSerialization>" + json_out),
       "InvalidDataSource"},
      {"no format", Body(expr + sql + "<InputSerialization></InputSerialization>" + json_out),
       "InvalidDataSource"},
      {"json type",
       Body(expr + sql +
            "<InputSerialization><JSON><Type>STREAM</Type></JSON></InputSerialization>" + json_out),
       "InvalidJsonType"},
      {"header info",
       Body(expr + sql +
            "<InputSerialization><CSV><FileHeaderInfo>FIRST</FileHeaderInfo></CSV>"
            "</InputSerialization>" +
            json_out),
       "InvalidFileHeaderInfo"},
      {"quote fields",
       Body(expr + sql + json_in +
            "<OutputSerialization><CSV><QuoteFields>NEVER</QuoteFields></CSV></"
            "OutputSerialization>"),
       "InvalidQuoteFields"},
      {"two outputs",
       Body(expr + sql + json_in + "<OutputSerialization><CSV/><JSON/></OutputSerialization>"),
       "InvalidRequestParameter"},
      {"long delimiter",
       Body(expr + sql +
            "<InputSerialization><CSV><FieldDelimiter>;;</FieldDelimiter></CSV></"
            "InputSerialization>" +
            json_out),
       "InvalidRequestParameter"},
      {"bad range",
       Body(expr + sql + json_in + json_out +
            "<ScanRange><Start>9</Start><End>2</End></ScanRange>"),
       "InvalidRequestParameter"},
      {"bad entity", Body("<Expression>a &bogus; b</Expression>" + sql + json_in + json_out),
       "MalformedXML"},
  };
  for (const Refusal& c : cases) {
    SelectRequest r;
    auto err = ParseSelectRequest(c.body, &r);
    ASSERT_TRUE(err) << c.name;
    EXPECT_EQ(err->code, c.code) << c.name << ": " << err->message;
    EXPECT_EQ(err->http_status, 400) << c.name;
    EXPECT_FALSE(err->message.empty()) << c.name;
  }
}

TEST(SelectRequestTest, ErrorXmlEscapes) {
  EXPECT_EQ(S3ErrorXml({400, "InvalidExpressionType", "a <b> & c"}, "/lake/k"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidExpressionType</Code>"
            "<Message>a &lt;b&gt; &amp; c</Message><Resource>/lake/k</Resource></Error>");
}

}  // namespace
}  // namespace mailpulse
