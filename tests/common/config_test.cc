#include "common/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mailpulse {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigTest, DefaultsComeFromTheTable) {
  Config c;
  EXPECT_EQ(c.GetString("listen"), "127.0.0.1:8080");
  EXPECT_EQ(c.GetInt("max_body"), 4 << 20);
  EXPECT_EQ(c.GetInt("dedupe_window"), 24 * 3600);
  EXPECT_FALSE(c.GetBool("allow_unsigned"));
  EXPECT_TRUE(c.GetList("webhook_keys").empty());
}

TEST(ConfigTest, TomlThenEnvironmentThenSet) {
  std::string path = WriteTemp("mailpulse_config_test.toml",
                               "listen = \"0.0.0.0:9000\"\nshards = 8\nallow_unsigned = true\n"
                               "webhook_keys = [\"a=K1\", \"b=K2\"]\nmax_body = \"1MiB\"\n");
  Config c;
  ASSERT_TRUE(c.LoadToml(path).ok());
  EXPECT_EQ(c.GetString("listen"), "0.0.0.0:9000");
  EXPECT_EQ(c.GetInt("shards"), 8);
  EXPECT_TRUE(c.GetBool("allow_unsigned"));
  EXPECT_EQ(c.GetList("webhook_keys"), (std::vector<std::string>{"a=K1", "b=K2"}));
  EXPECT_EQ(c.GetInt("max_body"), 1 << 20);

  setenv("MAILPULSE_SHARDS", "2", 1);
  ASSERT_TRUE(c.LoadEnvironment().ok());
  unsetenv("MAILPULSE_SHARDS");
  EXPECT_EQ(c.GetInt("shards"), 2);

  ASSERT_TRUE(c.Set("shards", "16").ok());
  EXPECT_EQ(c.GetInt("shards"), 16);
}

TEST(ConfigTest, ErrorsNameTheKeyAndTheProblem) {
  Config c;
  Status st = c.Set("no_such_key", "1");
  EXPECT_EQ(st.kind(), ErrorKind::kInvalid);
  EXPECT_NE(st.message().find("no_such_key"), std::string::npos);
  EXPECT_EQ(c.Set("shards", "four").kind(), ErrorKind::kInvalid);
  EXPECT_EQ(c.Set("max_body", "4 parsecs").kind(), ErrorKind::kInvalid);
  EXPECT_EQ(c.Set("allow_unsigned", "maybe").kind(), ErrorKind::kInvalid);
  EXPECT_EQ(c.GetInt("shards"), 4) << "a refused value leaves the old one";

  std::string bad = WriteTemp("mailpulse_config_bad.toml", "listen = \n");
  Status parse = c.LoadToml(bad);
  EXPECT_EQ(parse.kind(), ErrorKind::kInvalid);
  EXPECT_NE(parse.message().find("line 1"), std::string::npos) << parse.message();

  std::string unknown = WriteTemp("mailpulse_config_unknown.toml", "lisen = \"x\"\n");
  EXPECT_NE(c.LoadToml(unknown).message().find("lisen"), std::string::npos);
}

TEST(ConfigTest, SizesAndDurations) {
  EXPECT_EQ(*ParseBytes("64MiB"), 64 << 20);
  EXPECT_EQ(*ParseBytes("4 MiB"), 4 << 20);
  EXPECT_EQ(*ParseBytes("2GB"), 2'000'000'000);
  EXPECT_EQ(*ParseBytes("1024"), 1024);
  EXPECT_FALSE(ParseBytes("-1").ok());
  EXPECT_EQ(*ParseSeconds("90"), 90);
  EXPECT_EQ(*ParseSeconds("5m"), 300);
  EXPECT_EQ(*ParseSeconds("24h"), 86400);
  EXPECT_EQ(*ParseSeconds("7d"), 604800);
  EXPECT_FALSE(ParseSeconds("1w").ok());
}

TEST(ConfigTest, NamesFollowTheKey) {
  for (const ConfigKey& k : ConfigKeys()) {
    if (std::string(k.key) == "data_dir") {
      EXPECT_EQ(FlagName(k), "--data-dir");
      EXPECT_EQ(EnvName(k), "MAILPULSE_DATA_DIR");
    }
  }
}

// docs/config.md is generated from the table (`make docs`); it must not drift.
TEST(ConfigTest, DocsMatchTheTable) {
  std::filesystem::path doc =
      std::filesystem::path(MAILPULSE_TEST_DATA) / ".." / ".." / "docs" / "config.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in.good()) << doc;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find(Config::MarkdownReference()), std::string::npos)
      << "docs/config.md is stale: run `make docs`";
}

}  // namespace
}  // namespace mailpulse
