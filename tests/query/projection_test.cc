// Which top-level members a statement reads: exact sets, and "everything"
// whenever the row may be seen whole; and the same rows with and without it.
#include "query/projection.h"

#include <gtest/gtest.h>

#include "query/parser.h"
#include "query/text_query.h"

namespace mailpulse::query {
namespace {

std::optional<std::vector<std::string>> Names(const char* sql) {
  Result<SelectStatement> st = ParseQuery(sql);
  EXPECT_TRUE(st.ok()) << sql << ": " << st.status().ToString();
  if (!st.ok()) return std::nullopt;
  std::optional<RootProjection> p = ProjectionOf(*st);
  if (!p) return std::nullopt;
  return p->names();
}

using V = std::vector<std::string>;

TEST(ProjectionTest, NamesEveryColumnInEveryClause) {
  EXPECT_EQ(Names("SELECT s.event, COUNT(*) FROM S3Object s WHERE s.Email LIKE '%x' "
                  "GROUP BY s.event HAVING COUNT(*) > 1 ORDER BY s.url"),
            (V{"email", "event", "s", "url"}));
  EXPECT_EQ(Names("SELECT CASE s.a WHEN 1 THEN s.b ELSE s.c END FROM S3Object s"),
            (V{"a", "b", "c", "s"}));
  EXPECT_EQ(Names("SELECT COUNT(*) FROM S3Object s"), V{});
  // Without an alias, a bare name is a member; a quoted one is kept case-blind.
  EXPECT_EQ(Names("SELECT \"Timestamp\", event FROM S3Object x"), (V{"event", "timestamp"}));
  // Nested paths keep their top-level member.
  EXPECT_EQ(Names("SELECT s.pool.id, s.category[0] FROM S3Object s"), (V{"category", "pool", "s"}));
}

TEST(ProjectionTest, TheWholeRowDisablesIt) {
  EXPECT_EQ(Names("SELECT * FROM S3Object s"), std::nullopt);
  EXPECT_EQ(Names("SELECT s FROM S3Object s"), std::nullopt);
  EXPECT_EQ(Names("SELECT s[0] FROM S3Object s"), std::nullopt);
  EXPECT_EQ(Names("SELECT s._2 FROM S3Object s"), std::nullopt);
  EXPECT_EQ(Names("SELECT _1 FROM S3Object"), std::nullopt);
  EXPECT_EQ(Names("SELECT x.a FROM S3Object[*].items[*] x"), std::nullopt);
}

TEST(ProjectionTest, KeepsIsCaseBlind) {
  Result<SelectStatement> st = ParseQuery("SELECT s.event FROM S3Object s");
  ASSERT_TRUE(st.ok());
  std::optional<RootProjection> p = ProjectionOf(*st);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->Keeps("event"));
  EXPECT_TRUE(p->Keeps("EVENT"));
  EXPECT_FALSE(p->Keeps("events"));
  EXPECT_FALSE(p->Keeps("email"));
}

TEST(ProjectionTest, AmbiguousNamesStayAmbiguous) {
  // Both members match an unquoted name: both are kept, so the error stays.
  Result<std::string> r =
      RunTextQuery("SELECT s.a FROM S3Object s", "{\"a\":1,\"A\":2,\"b\":3}\n", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("AmbiguousFieldName"), std::string::npos);
}

TEST(ProjectionTest, ProjectedQueriesGiveTheSameRows) {
  const std::string input =
      "{\"event\":\"open\",\"email\":\"a@x.com\",\"n\":1,\"pool\":{\"id\":7}}\n"
      "{\"event\":\"click\",\"email\":\"b@x.com\",\"n\":2,\"url\":\"u\"}\n"
      "{\"EVENT\":\"odd\",\"n\":3}\n";
  EXPECT_EQ(RunTextQuery("SELECT s.event, s.pool.id FROM S3Object s", input, {}).value(),
            "{\"event\":\"open\",\"id\":7}\n{\"event\":\"click\"}\n{\"event\":\"odd\"}\n");
  EXPECT_EQ(RunTextQuery("SELECT COUNT(*) AS c FROM S3Object s WHERE s.url IS MISSING", input, {})
                .value(),
            "{\"c\":2}\n");
  EXPECT_EQ(RunTextQuery("SELECT * FROM S3Object s WHERE s.n = 3", input, {}).value(),
            "{\"EVENT\":\"odd\",\"n\":3}\n");
}

}  // namespace
}  // namespace mailpulse::query
