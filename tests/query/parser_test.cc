// Lexer and parser: tree shape and precedence (through the canonical
// ToString), FROM aliases, and error values naming line, column and what
// was expected.
#include "query/parser.h"

#include <gtest/gtest.h>

#include "query/lexer.h"

namespace mailpulse::query {
namespace {

std::string Error(std::string_view sql) {
  Result<SelectStatement> st = ParseQuery(sql);
  EXPECT_FALSE(st.ok()) << sql;
  if (st.ok()) return "";
  EXPECT_EQ(st.status().kind(), ErrorKind::kInvalid);
  return st.status().message();
}

// The canonical text of the first SELECT item.
std::string First(std::string_view select_list) {
  Result<SelectStatement> st = ParseQuery("SELECT " + std::string(select_list) + " FROM S3Object");
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  if (!st.ok()) return "";
  return st->items[0].expr->ToString();
}

TEST(QueryLexerTest, TokensCarryLineAndColumn) {
  Result<std::vector<Token>> t = Tokenize("SELECT 'it''s'\n  , \"A b\" <= 1.5e3 `2010T`");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 8u);
  EXPECT_EQ((*t)[1].kind, TokenKind::kString);
  EXPECT_EQ((*t)[1].text, "it's");
  EXPECT_EQ((*t)[2].text, ",");
  EXPECT_EQ((*t)[2].line, 2);
  EXPECT_EQ((*t)[2].column, 3);
  EXPECT_EQ((*t)[3].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ((*t)[3].text, "A b");
  EXPECT_EQ((*t)[4].text, "<=");
  EXPECT_EQ((*t)[5].kind, TokenKind::kFloat);
  EXPECT_EQ((*t)[6].kind, TokenKind::kTimestamp);
  EXPECT_EQ((*t)[6].text, "2010T");
  EXPECT_EQ((*t)[7].kind, TokenKind::kEnd);
}

TEST(QueryLexerTest, NumbersAndComments) {
  Result<std::vector<Token>> t = Tokenize("1 2.5 .5 7e-2 -- the rest is a comment 'x");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 5u);
  EXPECT_EQ((*t)[0].kind, TokenKind::kInteger);
  EXPECT_EQ((*t)[1].kind, TokenKind::kNumber);
  EXPECT_EQ((*t)[2].kind, TokenKind::kNumber);
  EXPECT_EQ((*t)[3].kind, TokenKind::kFloat);
}

TEST(QueryLexerTest, Errors) {
  EXPECT_EQ(Tokenize("SELECT 'abc").status().message(),
            "line 1, column 8: unterminated string literal");
  EXPECT_EQ(Tokenize("SELECT\n  \"abc").status().message(),
            "line 2, column 3: unterminated quoted identifier");
  EXPECT_EQ(Tokenize("SELECT a ? b").status().message(),
            "line 1, column 10: unexpected character '?'");
  EXPECT_EQ(Tokenize("SELECT 12abc").status().message(),
            "line 1, column 8: malformed number '12a'");
}

TEST(QueryParserTest, Clauses) {
  Result<SelectStatement> st = ParseQuery(
      "select s.name AS n, COUNT(*) from S3Object s where s.age > 3 group by s.name "
      "having count(*) > 1 order by n desc, 2 limit 10;");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_FALSE(st->select_star);
  ASSERT_EQ(st->items.size(), 2u);
  EXPECT_EQ(st->items[0].alias, "n");
  EXPECT_EQ(st->items[1].expr->ToString(), "COUNT(*)");
  EXPECT_EQ(st->from.alias, "s");
  EXPECT_EQ(st->where->ToString(), "(s.age > 3)");
  ASSERT_EQ(st->group_by.size(), 1u);
  EXPECT_EQ(st->having->ToString(), "(COUNT(*) > 1)");
  ASSERT_EQ(st->order_by.size(), 2u);
  EXPECT_TRUE(st->order_by[0].descending);
  EXPECT_FALSE(st->order_by[1].descending);
  EXPECT_EQ(st->limit, 10);
  EXPECT_EQ(st->aggregate_slots, 2);
}

TEST(QueryParserTest, Precedence) {
  EXPECT_EQ(First("a + b * c - d"), "((a + (b * c)) - d)");
  EXPECT_EQ(First("a OR b AND NOT c = d"), "(a OR (b AND (NOT (c = d))))");
  EXPECT_EQ(First("a < b = c > d"), "((a < b) = (c > d))");
  EXPECT_EQ(First("-a * 2 % 3"), "(((-a) * 2) % 3)");
  EXPECT_EQ(First("-5"), "-5");
  EXPECT_EQ(First("a NOT BETWEEN 1 AND 2 + 3"), "(a NOT BETWEEN 1 AND (2 + 3))");
  EXPECT_EQ(First("a NOT LIKE 'x!%' ESCAPE '!'"), "(a NOT LIKE \"x!%\" ESCAPE \"!\")");
  EXPECT_EQ(First("a IN (1, 'b', NULL)"), "(a IN (1, \"b\", null))");
  EXPECT_EQ(First("a IS NOT MISSING"), "(a IS NOT MISSING)");
  EXPECT_EQ(First("a || 'x'"), "(a || \"x\")");
}

TEST(QueryParserTest, SpecialForms) {
  EXPECT_EQ(First("CAST(a AS integer)"), "CAST(a AS INT)");
  EXPECT_EQ(First("CASE a WHEN 1 THEN 'x' ELSE 'y' END"),
            "CASE a WHEN 1 THEN \"x\" ELSE \"y\" END");
  EXPECT_EQ(First("CASE WHEN a > 1 THEN 2 END"), "CASE WHEN (a > 1) THEN 2 END");
  EXPECT_EQ(First("SUBSTRING(a FROM 2 FOR 3)"), "SUBSTRING(a, 2, 3)");
  EXPECT_EQ(First("substring(a, 2)"), "SUBSTRING(a, 2)");
  EXPECT_EQ(First("TRIM(a)"), "TRIM(\"both\", \" \", a)");
  EXPECT_EQ(First("TRIM(LEADING FROM a)"), "TRIM(\"leading\", \" \", a)");
  EXPECT_EQ(First("TRIM(BOTH '12' FROM a)"), "TRIM(\"both\", \"12\", a)");
  EXPECT_EQ(First("TRIM('x' FROM a)"), "TRIM(\"both\", \"x\", a)");
  EXPECT_EQ(First("EXTRACT(TIMEZONE_HOUR FROM a)"), "EXTRACT(\"timezone_hour\", a)");
  EXPECT_EQ(First("DATE_ADD(Year, 5, `2010-01-01T`)"), "DATE_ADD(\"year\", 5, `2010-01-01`)");
  EXPECT_EQ(First("COUNT(DISTINCT a.b)"), "COUNT(DISTINCT a.b)");
  EXPECT_EQ(First("utcnow()"), "UTCNOW()");
  EXPECT_EQ(First("a.b[0].\"C\"[*]"), "a.b[0].\"C\"[*]");
  EXPECT_EQ(First("a['x y']"), "a.\"x y\"");
}

TEST(QueryParserTest, FromAliases) {
  auto alias = [](std::string_view from) {
    Result<SelectStatement> st = ParseQuery("SELECT * FROM " + std::string(from));
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    return st.ok() ? st->from.alias : "";
  };
  EXPECT_EQ(alias("S3Object"), "S3Object");
  EXPECT_EQ(alias("s3object"), "s3object");
  EXPECT_EQ(alias("S3Object s"), "s");
  EXPECT_EQ(alias("S3Object AS s"), "s");
  EXPECT_EQ(alias("S3Object[*]"), "_1");
  EXPECT_EQ(alias("S3Object[*].Rules[*].id"), "id");
  EXPECT_EQ(alias("S3Object[*].Rules[*]"), "_1");
  EXPECT_EQ(alias("S3Object[*].Rules[*] r"), "r");
}

TEST(QueryParserTest, SyntaxErrorsNameLineColumnAndExpectation) {
  EXPECT_EQ(Error("SELECT * FORM S3Object"), "line 1, column 10: expected FROM, found 'FORM'");
  EXPECT_EQ(Error("SELECT a, b FORM S3Object"), "line 1, column 13: expected FROM, found 'FORM'");
  EXPECT_EQ(Error("SELECT a\nFROM S3Object\nWHERE"),
            "line 3, column 6: expected an expression, found end of query");
  EXPECT_EQ(Error("SELECT * FROM S3Object LIMIT x"),
            "line 1, column 30: expected a non-negative integer after LIMIT, found 'x'");
  EXPECT_EQ(Error("SELECT * FROM S3Object WHERE a IS 3"),
            "line 1, column 35: expected NULL or MISSING after IS, found '3'");
  EXPECT_EQ(Error("SELECT (a FROM S3Object"), "line 1, column 11: expected ')', found 'FROM'");
  EXPECT_EQ(Error("SELECT * FROM Bucket"), "line 1, column 15: expected S3Object, found 'Bucket'");
  EXPECT_EQ(Error("SELECT * FROM S3Object x y"),
            "line 1, column 26: expected end of query, found 'y'");
  EXPECT_EQ(Error(""), "line 1, column 1: expected SELECT, found end of query");
}

TEST(QueryParserTest, ReservedKeywordsNeedQuotes) {
  EXPECT_EQ(Error("SELECT s.timestamp FROM S3Object s"),
            "line 1, column 10: 'timestamp' is a reserved keyword; quote it as \"timestamp\" to "
            "use it as a name");
  EXPECT_EQ(Error("SELECT s.CAST FROM S3Object s"),
            "line 1, column 10: 'CAST' is a reserved keyword; quote it as \"CAST\" to use it as a "
            "name");
  EXPECT_TRUE(ParseQuery("SELECT s.\"CAST\", s.\"timestamp\" FROM S3Object s").ok());
  EXPECT_TRUE(ParseQuery("SELECT s.event, s.email FROM S3Object s").ok());
}

TEST(QueryParserTest, UnsupportedFeaturesAreNamed) {
  EXPECT_EQ(Error("SELECT DISTINCT a FROM S3Object"),
            "line 1, column 8: SELECT DISTINCT is not supported");
  EXPECT_EQ(Error("SELECT * FROM S3Object a JOIN S3Object b"),
            "line 1, column 26: JOIN is not supported");
  EXPECT_EQ(Error("SELECT * FROM S3Object a, S3Object b"),
            "line 1, column 25: JOIN is not supported");
  EXPECT_EQ(Error("SELECT * FROM S3Object WHERE a IN (SELECT b FROM S3Object)"),
            "line 1, column 36: a subquery is not supported");
  EXPECT_EQ(Error("SELECT * FROM (SELECT 1 FROM S3Object)"),
            "line 1, column 15: a subquery in FROM is not supported");
  EXPECT_EQ(Error("SELECT * FROM S3Object.a"),
            "line 1, column 23: a path after S3Object must start with [*] (S3Object[*].path)");
  EXPECT_EQ(Error("SELECT * FROM S3Object LIMIT 1 OFFSET 2"),
            "line 1, column 32: OFFSET is not supported");
}

TEST(QueryParserTest, FunctionErrors) {
  EXPECT_EQ(Error("SELECT FOO(1) FROM S3Object"), "line 1, column 8: unknown function 'FOO'");
  EXPECT_EQ(Error("SELECT LOWER(1, 2) FROM S3Object"),
            "line 1, column 8: wrong number of arguments to LOWER: expected LOWER(string)");
  EXPECT_EQ(Error("SELECT DATE_ADD(week, 1, x) FROM S3Object"),
            "line 1, column 17: expected a date part (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND), "
            "found 'week'");
  EXPECT_EQ(Error("SELECT SUM(COUNT(a)) FROM S3Object"),
            "line 1, column 12: an aggregate cannot contain another aggregate");
  EXPECT_EQ(Error("SELECT CAST(a AS BLOB) FROM S3Object"),
            "line 1, column 18: expected a type (INT, FLOAT, DECIMAL, STRING, BOOL, TIMESTAMP), "
            "found 'BLOB'");
  EXPECT_EQ(Error("SELECT `2010-13T` FROM S3Object"),
            "line 1, column 8: invalid timestamp '2010-13T'");
}

TEST(QueryParserTest, LimitsBoundInput) {
  std::string deep =
      "SELECT " + std::string(1000, '(') + "1" + std::string(1000, ')') + " FROM S3Object";
  EXPECT_NE(Error(deep).find("expression nested too deeply"), std::string::npos);
  std::string nots = "SELECT * FROM S3Object WHERE ";
  for (int i = 0; i < 1000; ++i) nots += "NOT ";
  EXPECT_NE(Error(nots + "a").find("expression nested too deeply"), std::string::npos);
  // Operator chains are as deep as nesting: a 40,000-term chain must not
  // become a tree whose evaluation or destruction overflows the stack.
  std::string chain = "SELECT 1";
  for (int i = 0; i < 40000; ++i) chain += i % 2 ? " + 1" : " AND 1";
  EXPECT_NE(Error(chain + " FROM S3Object").find("expression nested too deeply"),
            std::string::npos);
  std::string ok = "SELECT 1";
  for (int i = 0; i < 400; ++i) ok += " + 1";
  EXPECT_TRUE(ParseQuery(ok + " FROM S3Object").ok());
  std::string big = "SELECT '" + std::string(kMaxQueryBytes, 'x') + "' FROM S3Object";
  EXPECT_EQ(Error(big), "query is 262167 bytes; the limit is 262144");
}

}  // namespace
}  // namespace mailpulse::query
