// Executor limits and output shapes that the SQL files cannot show: the time
// limit, the group and row limits, the table and CSV writers, UTCNOW being
// fixed per query, and LIMIT stopping the input early.
#include "query/executor.h"

#include <gtest/gtest.h>

#include <thread>

#include "query/parser.h"
#include "query/text_query.h"

namespace mailpulse::query {
namespace {

std::string Lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "{\"k\":" + std::to_string(i) + ",\"g\":" + std::to_string(i % 3) + "}\n";
  return s;
}

std::string RunSql(std::string_view sql, std::string_view input, TextQueryOptions o = {}) {
  Result<std::string> out = RunTextQuery(sql, input, o);
  return out.ok() ? *out : "ERROR: " + out.status().message();
}

TEST(QueryExecutorTest, GroupLimitStopsTheQuery) {
  TextQueryOptions o;
  o.query.limits.max_groups = 5;
  EXPECT_EQ(RunSql("SELECT s.k, COUNT(*) FROM S3Object s GROUP BY s.k", Lines(6), o),
            "ERROR: query stopped: more than 5 groups (max groups)");
  EXPECT_EQ(RunSql("SELECT s.g, COUNT(*) AS n FROM S3Object s GROUP BY s.g", Lines(6), o),
            "{\"g\":0,\"n\":2}\n{\"g\":1,\"n\":2}\n{\"g\":2,\"n\":2}\n");
  EXPECT_EQ(RunSql("SELECT COUNT(DISTINCT s.k) FROM S3Object s", Lines(6), o),
            "ERROR: query stopped: more than 5 DISTINCT values (max groups)");
}

TEST(QueryExecutorTest, RowLimitBoundsOrderByAndTables) {
  TextQueryOptions o;
  o.query.limits.max_buffered_rows = 4;
  EXPECT_EQ(RunSql("SELECT s.k FROM S3Object s ORDER BY s.k DESC", Lines(5), o),
            "ERROR: query stopped: ORDER BY would hold more than 4 rows in memory (max rows)");
  EXPECT_EQ(RunSql("SELECT s.k FROM S3Object s ORDER BY s.k DESC LIMIT 2", Lines(4), o),
            "{\"k\":3}\n{\"k\":2}\n");
  o.output = OutputFormat::kTable;
  EXPECT_EQ(RunSql("SELECT s.k FROM S3Object s", Lines(5), o),
            "ERROR: query stopped: table output holds at most 4 rows (use --output json)");
}

TEST(QueryExecutorTest, TimeLimitStopsTheQuery) {
  Result<SelectStatement> st = ParseQuery("SELECT * FROM S3Object");
  ASSERT_TRUE(st.ok());
  struct Null : RecordSink {
    Status Write(const Record&) override { return Status::Ok(); }
  } sink;
  QueryOptions o;
  o.limits.timeout = std::chrono::milliseconds(1);
  auto ex = QueryExecutor::Create(&*st, o, &sink);
  ASSERT_TRUE(ex.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Status s = (*ex)->AddDocument(Value::Int(1));
  EXPECT_EQ(s.kind(), ErrorKind::kFail);
  EXPECT_EQ(s.message(), "query stopped: time limit of 1 ms exceeded");
}

TEST(QueryExecutorTest, LimitReachedMeansDone) {
  Result<SelectStatement> st = ParseQuery("SELECT * FROM S3Object LIMIT 2");
  ASSERT_TRUE(st.ok());
  struct Count : RecordSink {
    int n = 0;
    Status Write(const Record&) override {
      ++n;
      return Status::Ok();
    }
  } sink;
  auto ex = QueryExecutor::Create(&*st, QueryOptions(), &sink);
  ASSERT_TRUE(ex.ok());
  EXPECT_FALSE((*ex)->done());
  ASSERT_TRUE((*ex)->AddDocument(Value::Int(1)).ok());
  EXPECT_FALSE((*ex)->done());
  ASSERT_TRUE((*ex)->AddDocument(Value::Int(2)).ok());
  EXPECT_TRUE((*ex)->done());
  ASSERT_TRUE((*ex)->AddDocument(Value::Int(3)).ok());
  ASSERT_TRUE((*ex)->Finish().ok());
  EXPECT_EQ(sink.n, 2);
  EXPECT_EQ((*ex)->documents(), 2);
}

TEST(QueryExecutorTest, TableOutput) {
  TextQueryOptions o;
  o.output = OutputFormat::kTable;
  EXPECT_EQ(RunSql("SELECT s.name, s.n FROM S3Object s",
                   "{\"name\":\"Zoë\",\"n\":1}\n{\"name\":\"b\",\"n\":null}\n{\"x\":1}\n", o),
            "name  n\n"
            "----  ----\n"
            "Zoë   1\n"
            "b     NULL\n"
            "\n"
            "(3 rows)\n");
}

TEST(QueryExecutorTest, UtcNowIsFixedPerQuery) {
  TextQueryOptions o;
  o.query.now = *ParseTimestamp("2030-01-02T03:04:05.678Z");
  EXPECT_EQ(
      RunSql("SELECT UTCNOW() AS t, EXTRACT(YEAR FROM UTCNOW()) AS y FROM S3Object", "{}\n{}\n", o),
      "{\"t\":\"2030-01-02T03:04:05.678Z\",\"y\":2030}\n"
      "{\"t\":\"2030-01-02T03:04:05.678Z\",\"y\":2030}\n");
}

TEST(QueryExecutorTest, SelectStarShapes) {
  EXPECT_EQ(RunSql("SELECT * FROM S3Object", "{\"a\":1,\"b\":[1,{\"c\":null}]}\n7\n\"s\"\n"),
            "{\"a\":1,\"b\":[1,{\"c\":null}]}\n{\"_1\":7}\n{\"_1\":\"s\"}\n");
}

}  // namespace
}  // namespace mailpulse::query
