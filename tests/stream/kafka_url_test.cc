// kafka:// URL parsing: defaults, every parameter, and each way to get it
// wrong (docs/kafka.md, "URL").
#include "stream/kafka/kafka_url.h"

#include <gtest/gtest.h>

namespace mailpulse {
namespace {

TEST(KafkaUrlTest, Minimal) {
  auto u = ParseKafkaUrl("kafka://b1:9092/events");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->brokers, "b1:9092");
  EXPECT_EQ(u->topic, "events");
  EXPECT_EQ(u->errors_topic, "events-errors");
  EXPECT_EQ(u->partitions, 0u);
  EXPECT_EQ(u->group_prefix, "mailpulse.");
  EXPECT_EQ(u->linger_ms, 5);
  EXPECT_EQ(u->delivery_timeout_ms, 10000);
  EXPECT_TRUE(u->rdkafka.empty());
}

TEST(KafkaUrlTest, SeveralBrokersAndEveryParameter) {
  auto u = ParseKafkaUrl(
      "kafka://b1:9092,10.0.0.2:19092,[::1]:9093/sg.events_v2?partitions=8&errors_topic=sg-bad&"
      "group_prefix=prod-&linger_ms=0&delivery_timeout_ms=30000&request_timeout_ms=2000&"
      "read_wait_ms=20&rdkafka.security.protocol=SSL&rdkafka.compression.type=zstd");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->brokers, "b1:9092,10.0.0.2:19092,[::1]:9093");
  EXPECT_EQ(u->topic, "sg.events_v2");
  EXPECT_EQ(u->partitions, 8u);
  EXPECT_EQ(u->errors_topic, "sg-bad");
  EXPECT_EQ(u->group_prefix, "prod-");
  EXPECT_EQ(u->linger_ms, 0);
  EXPECT_EQ(u->delivery_timeout_ms, 30000);
  EXPECT_EQ(u->request_timeout_ms, 2000);
  EXPECT_EQ(u->read_wait_ms, 20);
  ASSERT_EQ(u->rdkafka.size(), 2u);
  EXPECT_EQ(u->rdkafka.at("security.protocol"), "SSL");
  EXPECT_EQ(u->rdkafka.at("compression.type"), "zstd");
}

void ExpectInvalid(const std::string& url, const std::string& fragment) {
  auto u = ParseKafkaUrl(url);
  ASSERT_FALSE(u.ok()) << url;
  EXPECT_EQ(u.status().kind(), ErrorKind::kInvalid) << url;
  EXPECT_NE(u.status().message().find(fragment), std::string::npos)
      << url << " -> " << u.status().message();
}

TEST(KafkaUrlTest, WrongScheme) { ExpectInvalid("kinesis://b:1/t", "must start with kafka://"); }
TEST(KafkaUrlTest, NoTopic) { ExpectInvalid("kafka://b:9092", "no topic"); }
TEST(KafkaUrlTest, EmptyTopic) { ExpectInvalid("kafka://b:9092/", "topic is empty"); }
TEST(KafkaUrlTest, NoBrokers) { ExpectInvalid("kafka:///events", "no brokers"); }
TEST(KafkaUrlTest, BrokerWithoutPort) { ExpectInvalid("kafka://b1/events", "must be host:port"); }
TEST(KafkaUrlTest, PortOutOfRange) { ExpectInvalid("kafka://b1:70000/events", "1..65535"); }
TEST(KafkaUrlTest, PortNotANumber) { ExpectInvalid("kafka://b1:ab/events", "1..65535"); }
TEST(KafkaUrlTest, BareIpv6) { ExpectInvalid("kafka://::1:9092/events", "IPv6"); }
TEST(KafkaUrlTest, TrailingComma) { ExpectInvalid("kafka://b1:1,/events", "empty broker"); }
TEST(KafkaUrlTest, TopicWithSlash) { ExpectInvalid("kafka://b1:1/a/b", "may only contain"); }
TEST(KafkaUrlTest, TopicDot) { ExpectInvalid("kafka://b1:1/..", "cannot be"); }
TEST(KafkaUrlTest, TopicTooLong) { ExpectInvalid("kafka://b1:1/" + std::string(250, 'a'), "249"); }
TEST(KafkaUrlTest, UnknownParameter) {
  ExpectInvalid("kafka://b:1/t?shards=4", "unknown parameter");
}
TEST(KafkaUrlTest, ParameterWithoutValue) { ExpectInvalid("kafka://b:1/t?partitions", "no value"); }
TEST(KafkaUrlTest, ZeroPartitions) { ExpectInvalid("kafka://b:1/t?partitions=0", "1..100000"); }
TEST(KafkaUrlTest, NegativeLinger) { ExpectInvalid("kafka://b:1/t?linger_ms=-1", "0..1000"); }
TEST(KafkaUrlTest, ReadWaitTooLong) { ExpectInvalid("kafka://b:1/t?read_wait_ms=500", "0..100"); }
TEST(KafkaUrlTest, BadErrorsTopic) {
  ExpectInvalid("kafka://b:1/t?errors_topic=a b", "may only contain");
}
TEST(KafkaUrlTest, ErrorsTopicSameAsTopic) {
  ExpectInvalid("kafka://b:1/t?errors_topic=t", "must differ");
}
TEST(KafkaUrlTest, EmptyRdkafkaProperty) { ExpectInvalid("kafka://b:1/t?rdkafka.=x", "property"); }

}  // namespace
}  // namespace mailpulse
