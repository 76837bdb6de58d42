// The Kinesis wire protocol: request bodies, response parsing (partial
// PutRecords failures, closed shards, paging) and the error -> Status mapping.
#include "stream/kinesis/kinesis_protocol.h"

#include <gtest/gtest.h>

#include <vector>

namespace mailpulse {
namespace {

TEST(KinesisProtocol, PutRecordsBodyBase64AndEscapes) {
  std::vector<PutRecordsEntry> e = {{"{\"event\":\"ping\"}", "user-42"},
                                    {std::string_view("a\0b", 3), "k\"\\\n"}};
  EXPECT_EQ(PutRecordsBody("webhooks", e),
            R"({"Records":[{"Data":"eyJldmVudCI6InBpbmcifQ==","PartitionKey":"user-42"},)"
            R"({"Data":"YQBi","PartitionKey":"k\"\\\n"}],"StreamName":"webhooks"})");
  EXPECT_EQ(PutRecordsEntryBytes(e[0]), 16u + 7u);
}

TEST(KinesisProtocol, GetShardIteratorBodies) {
  EXPECT_EQ(
      GetShardIteratorBody("s", "shardId-000000000001", "TRIM_HORIZON", "", 0),
      R"({"ShardId":"shardId-000000000001","ShardIteratorType":"TRIM_HORIZON","StreamName":"s"})");
  EXPECT_EQ(
      GetShardIteratorBody("s", "shardId-000000000001", "AFTER_SEQUENCE_NUMBER",
                           "49546986683135544286507457936321625675700192471156785154", 0),
      R"({"ShardId":"shardId-000000000001","ShardIteratorType":"AFTER_SEQUENCE_NUMBER",)"
      R"("StartingSequenceNumber":"49546986683135544286507457936321625675700192471156785154",)"
      R"("StreamName":"s"})");
  EXPECT_EQ(GetShardIteratorBody("s", "shardId-000000000000", "AT_TIMESTAMP", "", 1459799926480),
            R"({"ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP",)"
            R"("Timestamp":1459799926.480,"StreamName":"s"})");
}

TEST(KinesisProtocol, OtherBodies) {
  EXPECT_EQ(GetRecordsBody("AAAA+/==", 10000), R"({"Limit":10000,"ShardIterator":"AAAA+/=="})");
  EXPECT_EQ(ListShardsBody("events", ""), R"({"StreamName":"events"})");
  // The token alone: NextToken and StreamName are mutually exclusive.
  EXPECT_EQ(ListShardsBody("events", "tok"), R"({"NextToken":"tok"})");
  EXPECT_EQ(DescribeStreamSummaryBody("events"), R"({"StreamName":"events"})");
}

TEST(KinesisProtocol, PutRecordsPartialFailure) {
  Result<PutRecordsOutput> r = ParsePutRecords(
      R"({"FailedRecordCount":1,"Records":[{"SequenceNumber":"49546986683135544286507457936321625675700192471156785154","ShardId":"shardId-000000000000"},)"
      R"({"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000001"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed_record_count, 1);
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_TRUE(r->records[0].ok());
  EXPECT_EQ(r->records[0].sequence_number,
            "49546986683135544286507457936321625675700192471156785154");
  EXPECT_EQ(r->records[0].shard_id, "shardId-000000000000");
  EXPECT_FALSE(r->records[1].ok());
  EXPECT_EQ(r->records[1].error_code, "ProvisionedThroughputExceededException");
}

TEST(KinesisProtocol, PutRecordsAbsentCountIsZeroAndBadShapesFail) {
  Result<PutRecordsOutput> r = ParsePutRecords(R"({"Records":[{"SequenceNumber":"1"}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failed_record_count, 0);
  EXPECT_EQ(ParsePutRecords("not json").status().kind(), ErrorKind::kFail);
  EXPECT_EQ(ParsePutRecords(R"({"FailedRecordCount":0})").status().kind(), ErrorKind::kFail);
  EXPECT_EQ(ParsePutRecords(R"({"Records":[{}]})").status().kind(), ErrorKind::kFail);
  EXPECT_EQ(ParsePutRecords(R"({"Records":[{"SequenceNumber":5}]})").status().kind(),
            ErrorKind::kFail);
  EXPECT_EQ(ParsePutRecords(R"([1,2])").status().kind(), ErrorKind::kFail);
}

TEST(KinesisProtocol, GetRecordsDecodesDataAndTimestamps) {
  Result<GetRecordsOutput> r = ParseGetRecords(
      R"({"Records":[{"SequenceNumber":"21269319989653637946712965403778482371","ApproximateArrivalTimestamp":1459799926.48,)"
      R"("Data":"eyJldmVudCI6InBpbmcifQ==","PartitionKey":"user-42"},)"
      R"({"SequenceNumber":"7","ApproximateArrivalTimestamp":1700000000,"Data":"","PartitionKey":"p"}],)"
      R"("NextShardIterator":"AAAA","MillisBehindLatest":1234})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[0].sequence_number, "21269319989653637946712965403778482371");
  EXPECT_EQ(r->records[0].arrival_ms, 1459799926480);
  EXPECT_EQ(r->records[0].data, "{\"event\":\"ping\"}");
  EXPECT_EQ(r->records[0].partition_key, "user-42");
  EXPECT_EQ(r->records[1].arrival_ms, 1700000000000);
  EXPECT_EQ(r->records[1].data, "");
  EXPECT_EQ(r->next_shard_iterator, std::optional<std::string>("AAAA"));
  EXPECT_EQ(r->millis_behind_latest, 1234);
}

TEST(KinesisProtocol, GetRecordsClosedShardHasNoIterator) {
  Result<GetRecordsOutput> r = ParseGetRecords(R"({"Records":[],"MillisBehindLatest":0})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->next_shard_iterator.has_value());
  r = ParseGetRecords(R"({"Records":[],"NextShardIterator":null,"ChildShards":[]})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->next_shard_iterator.has_value());
  EXPECT_EQ(r->millis_behind_latest, -1);
}

TEST(KinesisProtocol, GetRecordsRejectsBadData) {
  EXPECT_EQ(
      ParseGetRecords(R"({"Records":[{"SequenceNumber":"1","Data":"!!","PartitionKey":"p"}]})")
          .status()
          .kind(),
      ErrorKind::kFail);
  EXPECT_EQ(ParseGetRecords(R"({"Records":[{"Data":"","PartitionKey":"p"}]})").status().kind(),
            ErrorKind::kFail);
  EXPECT_EQ(
      ParseGetRecords(
          R"({"Records":[{"SequenceNumber":"1","Data":"","ApproximateArrivalTimestamp":"x"}]})")
          .status()
          .kind(),
      ErrorKind::kFail);
}

TEST(KinesisProtocol, ListShardsWithLineageAndPaging) {
  Result<ListShardsOutput> r = ParseListShards(
      R"({"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"},)"
      R"("SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"200"}},)"
      R"({"ShardId":"shardId-000000000002","ParentShardId":"shardId-000000000000","AdjacentParentShardId":"shardId-000000000001",)"
      R"("HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},)"
      R"("SequenceNumberRange":{"StartingSequenceNumber":"300"}}],"NextToken":"page2"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->shards.size(), 2u);
  EXPECT_EQ(r->next_token, "page2");
  EXPECT_EQ(r->shards[0].ending_sequence_number, "200");
  EXPECT_EQ(r->shards[0].ending_hash_key, "170141183460469231731687303715884105727");
  EXPECT_EQ(r->shards[1].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(r->shards[1].adjacent_parent_shard_id, "shardId-000000000001");
  EXPECT_EQ(r->shards[1].ending_sequence_number, "");
  EXPECT_EQ(ParseListShards(R"({"Shards":[{"ParentShardId":"x"}]})").status().kind(),
            ErrorKind::kFail);
}

TEST(KinesisProtocol, DescribeStreamSummary) {
  Result<StreamSummary> r = ParseDescribeStreamSummary(
      R"({"StreamDescriptionSummary":{"StreamName":"e","StreamARN":"arn:aws:kinesis:us-east-1:111122223333:stream/e",)"
      R"("StreamStatus":"ACTIVE","OpenShardCount":2,"MaxRecordSizeInKiB":2048}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "ACTIVE");
  EXPECT_EQ(r->open_shard_count, 2);
  EXPECT_EQ(r->max_record_size_kib, 2048);
  r = ParseDescribeStreamSummary(R"({"StreamDescriptionSummary":{"StreamStatus":"CREATING"}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_record_size_kib, 0);
  EXPECT_EQ(ParseDescribeStreamSummary("{}").status().kind(), ErrorKind::kFail);
}

TEST(KinesisProtocol, ErrorCodeFromHeaderOrBody) {
  KinesisError e = ParseKinesisError(
      "",
      R"({"__type":"com.amazonaws.kinesis.v20131202#ResourceNotFoundException","message":"Stream x not found"})");
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Stream x not found");
  e = ParseKinesisError("ExpiredIteratorException:http://internal.amazon.com/coral/", "");
  EXPECT_EQ(e.code, "ExpiredIteratorException");
  e = ParseKinesisError("", R"({"code":"LimitExceededException","Message":"slow down"})");
  EXPECT_EQ(e.code, "LimitExceededException");
  EXPECT_EQ(e.message, "slow down");
  e = ParseKinesisError("", "<html>bad gateway</html>");
  EXPECT_EQ(e.code, "");
}

TEST(KinesisProtocol, StatusMapping) {
  auto kind = [](long http, std::string code) {
    return KinesisStatus(http, KinesisError{std::move(code), "m"}, "PutRecords", "events").kind();
  };
  EXPECT_EQ(kind(200, ""), ErrorKind::kOk);
  EXPECT_EQ(kind(400, "ProvisionedThroughputExceededException"), ErrorKind::kRetry);
  EXPECT_EQ(kind(400, "LimitExceededException"), ErrorKind::kRetry);
  EXPECT_EQ(kind(400, "ThrottlingException"), ErrorKind::kRetry);
  EXPECT_EQ(kind(500, "InternalFailure"), ErrorKind::kRetry);
  EXPECT_EQ(kind(503, ""), ErrorKind::kRetry);
  EXPECT_EQ(kind(502, ""), ErrorKind::kRetry);
  EXPECT_EQ(kind(400, "ResourceInUseException"), ErrorKind::kRetry);
  EXPECT_EQ(kind(400, "ResourceNotFoundException"), ErrorKind::kNotFound);
  EXPECT_EQ(kind(400, "AccessDeniedException"), ErrorKind::kForbidden);
  EXPECT_EQ(kind(400, "UnrecognizedClientException"), ErrorKind::kForbidden);
  EXPECT_EQ(kind(403, ""), ErrorKind::kForbidden);
  EXPECT_EQ(kind(400, "InvalidArgumentException"), ErrorKind::kInvalid);
  EXPECT_EQ(kind(400, "ExpiredIteratorException"), ErrorKind::kInvalid);
  EXPECT_EQ(kind(400, "KMSDisabledException"), ErrorKind::kFail);
  Status nf =
      KinesisStatus(400, {"ResourceNotFoundException", "Stream events under account 1 not found."},
                    "PutRecords", "events");
  EXPECT_NE(nf.message().find("kinesis stream 'events'"), std::string::npos) << nf.message();
  EXPECT_NE(nf.message().find("not found"), std::string::npos);
}

TEST(KinesisProtocol, ShardNames) {
  EXPECT_EQ(ShardNameFor(ShardId(3)), "shardId-000000000003");
  EXPECT_EQ(ShardIdFromName("shardId-000000000003"), std::optional<ShardId>(ShardId(3)));
  EXPECT_EQ(ShardIdFromName("shardId-000000001234"), std::optional<ShardId>(ShardId(1234)));
  EXPECT_EQ(ShardIdFromName("shardId-"), std::nullopt);
  EXPECT_EQ(ShardIdFromName("shardId-x1"), std::nullopt);
  EXPECT_EQ(ShardIdFromName("shardId-000004294967296"), std::nullopt);  // 2^32
}

}  // namespace
}  // namespace mailpulse
