// LIKE matching: wildcards over UTF-8 characters, escapes, and patterns that
// would be exponential for a naive backtracking matcher.
#include "query/like.h"

#include <gtest/gtest.h>

#include <chrono>

namespace mailpulse::query {
namespace {

bool Like(std::string_view text, std::string_view pattern,
          std::optional<std::string_view> escape = std::nullopt) {
  Result<bool> r = LikeMatch(text, pattern, escape);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() && *r;
}

TEST(QueryLikeTest, Wildcards) {
  EXPECT_TRUE(Like("abc", "abc"));
  EXPECT_FALSE(Like("abc", "ab"));
  EXPECT_TRUE(Like("abc", "a%"));
  EXPECT_TRUE(Like("abc", "%c"));
  EXPECT_TRUE(Like("abc", "a%c%"));
  EXPECT_TRUE(Like("abc", "%%%"));
  EXPECT_TRUE(Like("", "%"));
  EXPECT_FALSE(Like("", "_"));
  EXPECT_TRUE(Like("abc", "_b_"));
  EXPECT_FALSE(Like("abc", "____"));
  EXPECT_FALSE(Like("ABC", "abc"));  // case-sensitive
  EXPECT_TRUE(Like("mississippi", "%iss%ppi"));
}

// Patterns without `_` take a byte-wise path (literal runs found in order);
// these pin its edges against the character-wise matcher's answers.
TEST(QueryLikeTest, LiteralAndPercentPatterns) {
  EXPECT_FALSE(Like("a", "a%a"));  // prefix and suffix may not overlap
  EXPECT_TRUE(Like("aa", "a%a"));
  EXPECT_TRUE(Like("aXa", "a%a"));
  EXPECT_TRUE(Like("abcab", "ab%ab"));
  EXPECT_FALSE(Like("abab", "ab%b%ab"));
  EXPECT_TRUE(Like("abbab", "ab%b%ab"));
  EXPECT_TRUE(Like("xay1@z", "%1@%"));
  EXPECT_FALSE(Like("xay2@z", "%1@%"));
  EXPECT_TRUE(Like("", ""));
  EXPECT_FALSE(Like("a", ""));
  EXPECT_TRUE(Like("abc", "%b%"));
  EXPECT_FALSE(Like("abc", "%d%"));
  EXPECT_TRUE(Like("a%c", "a!%c", "!"));  // an escaped % is a literal
  EXPECT_FALSE(Like("abc", "a!%c", "!"));
  EXPECT_TRUE(Like("h\xc3\xa9llo w\xc3\xb6rld", "%\xc3\xa9%\xc3\xb6%"));
  // The compiled pattern is cached per thread: a new pattern must replace it.
  EXPECT_TRUE(Like("abc", "a%"));
  EXPECT_FALSE(Like("abc", "b%"));
  EXPECT_TRUE(Like("b_c", "b!_c", "!"));
  EXPECT_FALSE(Like("bxc", "b!_c", "!"));
}

TEST(QueryLikeTest, UnderscoreIsOneCharacterNotOneByte) {
  EXPECT_TRUE(Like("h\xc3\xa9llo", "h_llo"));  // é is two bytes
  EXPECT_FALSE(Like("h\xc3\xa9llo", "h__llo"));
  EXPECT_TRUE(
      Like("\xe2\x82\xac"
           "5",
           "_5"));                             // € is three bytes
  EXPECT_TRUE(Like("\xf0\x9f\x98\x80", "_"));  // an emoji is four
}

TEST(QueryLikeTest, Escape) {
  EXPECT_TRUE(Like("a%b", "a!%b", "!"));
  EXPECT_FALSE(Like("axb", "a!%b", "!"));
  EXPECT_TRUE(Like("a_b", "a\\_b", "\\"));
  EXPECT_FALSE(Like("axb", "a\\_b", "\\"));
  EXPECT_TRUE(Like("a!b", "a!!b", "!"));
  EXPECT_TRUE(Like("50% off", "50!%%", "!"));
  EXPECT_EQ(LikeMatch("a", "a!", std::string_view("!")).status().message(),
            "LIKE pattern ends with its escape character");
  EXPECT_EQ(LikeMatch("a", "a", std::string_view("!!")).status().message(),
            "LIKE's ESCAPE must be a single character");
  EXPECT_FALSE(LikeMatch("a", "a", std::string_view("")).ok());
}

TEST(QueryLikeTest, PathologicalPatternIsFast) {
  std::string text(20000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Like(text, "%a%a%a%a%a%a%a%a%b"));
  EXPECT_TRUE(Like(text + "b", "%a%a%a%a%a%a%a%a%b"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace mailpulse::query
