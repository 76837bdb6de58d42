// The Kinesis Data Streams wire protocol (AWS JSON 1.1, API 2013-12-02) for
// the five operations mailpulse uses: request bodies, response parsing and
// the one mapping from an error answer to a Status (docs/kinesis.md).
//
// Why by hand and not the AWS SDK: the bodies are small flat JSON documents;
// building them here keeps mailpulse one dependency-light binary, and the
// S3 backend already has the signer and HTTP client this needs.
//
// Responses are untrusted input: malformed documents give kFail, never a
// crash. Blob fields (Data) are base64 on the wire; ParseGetRecords decodes
// them. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace mailpulse {

inline constexpr std::string_view kKinesisTargetPrefix = "Kinesis_20131202.";
inline constexpr std::string_view kKinesisContentType = "application/x-amz-json-1.1";

// PutRecords limits (docs/kinesis.md, "Limits").
inline constexpr size_t kPutRecordsMaxRecords = 500;
inline constexpr uint64_t kPutRecordsMaxBytes = 5ull << 20;  // data + partition keys
inline constexpr uint64_t kDefaultMaxRecordBytes = 1ull << 20;
inline constexpr size_t kPartitionKeyMaxChars = 256;
inline constexpr int kGetRecordsMaxLimit = 10'000;

struct PutRecordsEntry {
  std::string_view data;  // raw bytes; base64-encoded into the body
  std::string_view partition_key;
};

struct PutRecordsResultEntry {
  std::string sequence_number;  // decimal, on success
  std::string shard_id;
  std::string error_code;  // ProvisionedThroughputExceededException | InternalFailure
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

struct PutRecordsOutput {
  int64_t failed_record_count = 0;
  std::vector<PutRecordsResultEntry> records;  // same order and length as the request
};

struct KinesisRecord {
  std::string sequence_number;
  UnixMillis arrival_ms = 0;  // ApproximateArrivalTimestamp (epoch seconds) in ms
  std::string partition_key;
  std::string data;  // decoded
};

struct GetRecordsOutput {
  std::vector<KinesisRecord> records;
  // Absent once the shard is closed and read to its end.
  std::optional<std::string> next_shard_iterator;
  int64_t millis_behind_latest = -1;  // -1 when absent
};

struct KinesisShard {
  std::string shard_id;  // "shardId-000000000003"
  std::string parent_shard_id;
  std::string adjacent_parent_shard_id;
  std::string starting_hash_key;
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // set once the shard is closed
};

struct ListShardsOutput {
  std::vector<KinesisShard> shards;
  std::string next_token;  // "" on the last page
};

struct StreamSummary {
  std::string status;  // CREATING | DELETING | ACTIVE | UPDATING
  std::string arn;
  int64_t open_shard_count = -1;
  int64_t max_record_size_kib = 0;  // 0 when the service does not report it
};

// An error answer: code from X-Amzn-Errortype or the body's __type/code,
// "namespace#" prefix and ":url" suffix stripped; message from message/Message.
struct KinesisError {
  std::string code;
  std::string message;
};

// Request bodies. Strings are JSON-escaped; Data is base64.
std::string PutRecordsBody(std::string_view stream, std::span<const PutRecordsEntry> entries);
// type: TRIM_HORIZON | LATEST | AT_SEQUENCE_NUMBER | AFTER_SEQUENCE_NUMBER | AT_TIMESTAMP;
// sequence_number for the AT_/AFTER_ types, timestamp_ms for AT_TIMESTAMP.
std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id,
                                 std::string_view type, std::string_view sequence_number,
                                 UnixMillis timestamp_ms);
std::string GetRecordsBody(std::string_view iterator, int limit);
// NextToken and StreamName are mutually exclusive: the first page names the
// stream, the following ones carry only the token.
std::string ListShardsBody(std::string_view stream, std::string_view next_token);
std::string DescribeStreamSummaryBody(std::string_view stream);

// Bytes one entry counts against the PutRecords limits (data + partition key).
inline uint64_t PutRecordsEntryBytes(const PutRecordsEntry& e) {
  return e.data.size() + e.partition_key.size();
}

Result<PutRecordsOutput> ParsePutRecords(std::string_view body);
Result<std::string> ParseGetShardIterator(std::string_view body);
Result<GetRecordsOutput> ParseGetRecords(std::string_view body);
Result<ListShardsOutput> ParseListShards(std::string_view body);
Result<StreamSummary> ParseDescribeStreamSummary(std::string_view body);
KinesisError ParseKinesisError(std::string_view errortype_header, std::string_view body);

// Status for a finished exchange (ok for 2xx). kRetry: 5xx, throttling
// (ProvisionedThroughputExceededException, LimitExceededException,
// ThrottlingException, KMSThrottlingException), InternalFailure, a stream
// in ResourceInUse; kNotFound: ResourceNotFoundException (the message names
// `stream`); kForbidden: 401/403 and the signature/credential codes;
// kInvalid: InvalidArgument/Validation/Serialization; kFail: other 4xx.
// ExpiredIteratorException is mapped to kInvalid here; the client turns it
// into a normal outcome (GetRecords re-gets the iterator).
Status KinesisStatus(long http_status, const KinesisError& error, std::string_view operation,
                     std::string_view stream);

// Whether a per-record PutRecords ErrorCode is worth retrying (all known
// ones are: throughput exceeded and internal failure).
bool IsRetryableRecordError(std::string_view error_code);

// ShardId from "shardId-000000000003" (its numeric suffix); nullopt when the
// name has no numeric suffix below 2^32.
std::optional<ShardId> ShardIdFromName(std::string_view name);
// "shardId-000000000003"
std::string ShardNameFor(ShardId shard);

}  // namespace mailpulse
