// sqllogictest-style runner: every tests/query/sql/*.test file is a list of
// blocks separated by blank lines (format: tests/query/sql/README.md):
//
//   input people.jsonl          fixture for the next blocks (tests/data/query/)
//   format csv-use              input format: json | csv-use | csv-ignore | csv-none
//   query [json|csv]            SQL lines, then ----, then the exact output lines
//   error                       SQL lines, then ----, then the exact error message
//
// UTCNOW() is 2026-12-04T08:00:00.000Z in these tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "query/text_query.h"

namespace mailpulse::query {
namespace {

const std::string kDataDir = std::string(MAILPULSE_TEST_DATA) + "/query";
const std::string kSqlDir = std::string(MAILPULSE_TEST_DATA) + "/../query/sql";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines, const char* sep) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? sep : "") + lines[i];
  return out;
}

TextQueryOptions BaseOptions() {
  TextQueryOptions o;
  o.query.now = *ParseTimestamp("2026-12-04T08:00:00.000Z");
  return o;
}

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, Run) {
  const std::string file = kSqlDir + "/" + GetParam();
  std::vector<std::string> lines = SplitLines(ReadFile(file));
  ASSERT_FALSE(lines.empty()) << file;
  std::string input;
  TextQueryOptions options = BaseOptions();
  int blocks = 0;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& head = lines[i];
    size_t head_line = i + 1;
    ++i;
    if (head.empty() || head[0] == '#') continue;
    if (head.rfind("input ", 0) == 0) {
      std::string path = kDataDir + "/" + head.substr(6);
      ASSERT_TRUE(std::filesystem::exists(path)) << path;
      input = ReadFile(path);
      continue;
    }
    if (head.rfind("format ", 0) == 0) {
      std::string f = head.substr(7);
      options.input = f == "json" ? InputFormat::kJson : InputFormat::kCsv;
      options.csv_header = f == "csv-ignore" ? CsvHeader::kIgnore
                           : f == "csv-none" ? CsvHeader::kNone
                                             : CsvHeader::kUse;
      ASSERT_TRUE(f == "json" || f == "csv-use" || f == "csv-ignore" || f == "csv-none")
          << GetParam() << ":" << head_line;
      continue;
    }
    bool is_error = head == "error";
    ASSERT_TRUE(is_error || head.rfind("query", 0) == 0)
        << GetParam() << ":" << head_line << ": " << head;
    options.output = head == "query csv" ? OutputFormat::kCsv : OutputFormat::kJson;
    std::vector<std::string> sql, expected;
    while (i < lines.size() && lines[i] != "----") sql.push_back(lines[i++]);
    ASSERT_LT(i, lines.size()) << GetParam() << ":" << head_line << ": no ----";
    ++i;
    while (i < lines.size() && !lines[i].empty()) expected.push_back(lines[i++]);
    ++blocks;
    Result<std::string> out = RunTextQuery(Join(sql, "\n"), input, options);
    std::string where = GetParam() + ":" + std::to_string(head_line) + ": " + Join(sql, " ");
    if (is_error && out.ok()) {
      ADD_FAILURE() << where << "\nunexpected output:\n" << *out;
    } else if (is_error) {
      EXPECT_EQ(out.status().message(), Join(expected, "\n")) << where;
    } else if (!out.ok()) {
      ADD_FAILURE() << where << "\n" << out.status().ToString();
    } else {
      EXPECT_EQ(SplitLines(*out), expected) << where << "\nactual:\n" << *out;
    }
  }
  EXPECT_GT(blocks, 0) << file;
}

std::vector<std::string> TestFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSqlDir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(SqlFiles, SqlLogicTest, ::testing::ValuesIn(TestFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(SqlLogicFilesTest, Found) { EXPECT_GE(TestFiles().size(), 5u); }

}  // namespace
}  // namespace mailpulse::query
