// kinesis:// URL parsing: defaults, the errors role, validation messages.
#include "stream/kinesis/kinesis_url.h"

#include <gtest/gtest.h>

#include <map>

namespace mailpulse {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(KinesisUrl, FullUrl) {
  Result<KinesisOptions> o = ParseKinesisUrl(
      "kinesis://mail.events-1?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A4567&senders=8"
      "&retry_deadline_ms=2500",
      "events", Env({}));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->stream, "mail.events-1");
  EXPECT_EQ(o->region, "eu-west-1");
  EXPECT_EQ(o->scheme, "http");
  EXPECT_EQ(o->host, "127.0.0.1:4567");
  EXPECT_EQ(o->endpoint(), "http://127.0.0.1:4567");
  EXPECT_EQ(o->senders, 8);
  EXPECT_EQ(o->retry_deadline_ms, 2500);
}

TEST(KinesisUrl, DefaultsFromEnvironment) {
  Result<KinesisOptions> o =
      ParseKinesisUrl("kinesis://events", "events", Env({{"AWS_DEFAULT_REGION", "us-west-2"}}));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->region, "us-west-2");
  EXPECT_EQ(o->endpoint(), "https://kinesis.us-west-2.amazonaws.com");
  EXPECT_EQ(o->senders, 4);
  EXPECT_EQ(o->retry_deadline_ms, 10000);
  // AWS_REGION wins over AWS_DEFAULT_REGION; the URL wins over both.
  o = ParseKinesisUrl("kinesis://events", "events",
                      Env({{"AWS_REGION", "ap-south-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}}));
  EXPECT_EQ(o->region, "ap-south-1");
  o = ParseKinesisUrl("kinesis://events?region=sa-east-1", "events",
                      Env({{"AWS_REGION", "ap-south-1"}}));
  EXPECT_EQ(o->region, "sa-east-1");
}

TEST(KinesisUrl, ErrorsRole) {
  auto env = Env({{"AWS_REGION", "us-east-1"}});
  EXPECT_EQ(ParseKinesisUrl("kinesis://events", "errors", env)->stream, "events-errors");
  EXPECT_EQ(ParseKinesisUrl("kinesis://events?errors_stream=dlq", "errors", env)->stream, "dlq");
  EXPECT_EQ(ParseKinesisUrl("kinesis://events?errors_stream=dlq", "events", env)->stream, "events");
  EXPECT_EQ(ParseKinesisUrl("kinesis://events", "metrics", env).status().kind(),
            ErrorKind::kInvalid);
}

TEST(KinesisUrl, InvalidUrlsSayWhy) {
  auto env = Env({{"AWS_REGION", "us-east-1"}});
  auto message = [&](std::string_view url, EnvLookup e) {
    Result<KinesisOptions> o = ParseKinesisUrl(url, "events", e);
    EXPECT_FALSE(o.ok()) << url;
    EXPECT_EQ(o.status().kind(), ErrorKind::kInvalid) << url;
    return o.ok() ? std::string() : o.status().message();
  };
  EXPECT_NE(message("kinesis://", env).find("no stream name"), std::string::npos);
  EXPECT_NE(message("kinesis://?region=us-east-1", env).find("no stream name"), std::string::npos);
  EXPECT_NE(message("kinesis://a/b", env).find("[A-Za-z0-9_.-]"), std::string::npos);
  EXPECT_NE(message("kinesis://" + std::string(129, 'a'), env).find("1..128"), std::string::npos);
  EXPECT_NE(message("kinesis://events", Env({})).find("no region"), std::string::npos);
  EXPECT_NE(message("kinesis://events?region=US_EAST", env).find("invalid region"),
            std::string::npos);
  EXPECT_NE(message("kinesis://events?endpoint=127.0.0.1:4567", env).find("needs a scheme"),
            std::string::npos);
  EXPECT_NE(message("kinesis://events?endpoint=ftp://h", env).find("http or https"),
            std::string::npos);
  EXPECT_NE(message("kinesis://events?endpoint=http://h/path", env).find("without a path"),
            std::string::npos);
  EXPECT_NE(message("kinesis://events?senders=0", env).find("senders"), std::string::npos);
  EXPECT_NE(message("kinesis://events?retry_deadline_ms=abc", env).find("retry_deadline_ms"),
            std::string::npos);
  EXPECT_NE(message("kinesis://events?shards=2", env).find("unknown parameter 'shards'"),
            std::string::npos);
  EXPECT_NE(message("kinesis://events?errors_stream=a%20b", env).find("[A-Za-z0-9_.-]"),
            std::string::npos);
  EXPECT_NE(message("s3://events", env).find("not a kinesis://"), std::string::npos);
}

}  // namespace
}  // namespace mailpulse
