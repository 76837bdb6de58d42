#include "stream/kinesis/kinesis_protocol.h"

#include <simdjson.h>

#include <cmath>
#include <cstdio>

#include "common/base64.h"
#include "common/json_escape.h"

namespace mailpulse {
namespace {

namespace dom = simdjson::dom;

Result<dom::element> ParseDocument(std::string_view body, std::string_view what) {
  thread_local dom::parser parser;
  dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Status::Fail("kinesis " + std::string(what) + ": response is not a JSON object");
  }
  return doc;
}

// A string member, "" when absent; kFail when present with another type.
Status StringField(dom::element obj, std::string_view key, std::string* out,
                   std::string_view what) {
  dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) {
    out->clear();
    return Status::Ok();
  }
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) {
    return Status::Fail("kinesis " + std::string(what) + ": " + std::string(key) +
                        " is not a string");
  }
  out->assign(s);
  return Status::Ok();
}

Status IntField(dom::element obj, std::string_view key, int64_t* out, std::string_view what) {
  dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return Status::Ok();
  if (v.get(*out) != simdjson::SUCCESS) {
    return Status::Fail("kinesis " + std::string(what) + ": " + std::string(key) +
                        " is not an integer");
  }
  return Status::Ok();
}

Result<dom::array> ArrayField(dom::element obj, std::string_view key, std::string_view what) {
  dom::array a;
  if (obj[key].get(a) != simdjson::SUCCESS) {
    return Status::Fail("kinesis " + std::string(what) + ": " + std::string(key) +
                        " missing or not an array");
  }
  return a;
}

void Key(std::string& out, std::string_view key) {
  AppendJsonString(out, key);
  out.push_back(':');
}

std::string StripCode(std::string_view code) {
  if (size_t hash = code.rfind('#'); hash != std::string_view::npos) code.remove_prefix(hash + 1);
  if (size_t colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  while (!code.empty() && code.back() == ' ') code.remove_suffix(1);
  return std::string(code);
}

}  // namespace

std::string PutRecordsBody(std::string_view stream, std::span<const PutRecordsEntry> entries) {
  size_t reserve = 64 + stream.size();
  for (const PutRecordsEntry& e : entries)
    reserve += 40 + (e.data.size() + 2) / 3 * 4 + e.partition_key.size() * 2;
  std::string out;
  out.reserve(reserve);
  out += "{\"Records\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i) out.push_back(',');
    out += "{\"Data\":\"";
    out += Base64Encode(entries[i].data);
    out += "\",";
    Key(out, "PartitionKey");
    AppendJsonString(out, entries[i].partition_key);
    out.push_back('}');
  }
  out += "],";
  Key(out, "StreamName");
  AppendJsonString(out, stream);
  out.push_back('}');
  return out;
}

std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id,
                                 std::string_view type, std::string_view sequence_number,
                                 UnixMillis timestamp_ms) {
  std::string out = "{";
  Key(out, "ShardId");
  AppendJsonString(out, shard_id);
  out.push_back(',');
  Key(out, "ShardIteratorType");
  AppendJsonString(out, type);
  if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    out.push_back(',');
    Key(out, "StartingSequenceNumber");
    AppendJsonString(out, sequence_number);
  } else if (type == "AT_TIMESTAMP") {
    // Epoch seconds with millisecond fraction, as the SDKs send it.
    char buf[48];
    long long ms = timestamp_ms;
    std::snprintf(buf, sizeof(buf), ",\"Timestamp\":%lld.%03lld", ms / 1000,
                  ms % 1000 < 0 ? -(ms % 1000) : ms % 1000);
    out += buf;
  }
  out.push_back(',');
  Key(out, "StreamName");
  AppendJsonString(out, stream);
  out.push_back('}');
  return out;
}

std::string GetRecordsBody(std::string_view iterator, int limit) {
  std::string out = "{\"Limit\":" + std::to_string(limit) + ",";
  Key(out, "ShardIterator");
  AppendJsonString(out, iterator);
  out.push_back('}');
  return out;
}

std::string ListShardsBody(std::string_view stream, std::string_view next_token) {
  std::string out = "{";
  if (!next_token.empty()) {
    Key(out, "NextToken");
    AppendJsonString(out, next_token);
  } else {
    Key(out, "StreamName");
    AppendJsonString(out, stream);
  }
  out.push_back('}');
  return out;
}

std::string DescribeStreamSummaryBody(std::string_view stream) {
  std::string out = "{";
  Key(out, "StreamName");
  AppendJsonString(out, stream);
  out.push_back('}');
  return out;
}

Result<PutRecordsOutput> ParsePutRecords(std::string_view body) {
  constexpr std::string_view kWhat = "PutRecords";
  MP_ASSIGN_OR_RETURN(dom::element doc, ParseDocument(body, kWhat));
  PutRecordsOutput out;
  MP_RETURN_IF_ERROR(IntField(doc, "FailedRecordCount", &out.failed_record_count, kWhat));
  MP_ASSIGN_OR_RETURN(dom::array records, ArrayField(doc, "Records", kWhat));
  for (dom::element r : records) {
    if (!r.is_object()) return Status::Fail("kinesis PutRecords: a Records entry is not an object");
    PutRecordsResultEntry e;
    MP_RETURN_IF_ERROR(StringField(r, "SequenceNumber", &e.sequence_number, kWhat));
    MP_RETURN_IF_ERROR(StringField(r, "ShardId", &e.shard_id, kWhat));
    MP_RETURN_IF_ERROR(StringField(r, "ErrorCode", &e.error_code, kWhat));
    MP_RETURN_IF_ERROR(StringField(r, "ErrorMessage", &e.error_message, kWhat));
    if (e.error_code.empty() && e.sequence_number.empty()) {
      return Status::Fail("kinesis PutRecords: an entry has neither SequenceNumber nor ErrorCode");
    }
    out.records.push_back(std::move(e));
  }
  return out;
}

Result<std::string> ParseGetShardIterator(std::string_view body) {
  constexpr std::string_view kWhat = "GetShardIterator";
  MP_ASSIGN_OR_RETURN(dom::element doc, ParseDocument(body, kWhat));
  std::string it;
  MP_RETURN_IF_ERROR(StringField(doc, "ShardIterator", &it, kWhat));
  if (it.empty()) return Status::Fail("kinesis GetShardIterator: no ShardIterator in the response");
  return it;
}

Result<GetRecordsOutput> ParseGetRecords(std::string_view body) {
  constexpr std::string_view kWhat = "GetRecords";
  MP_ASSIGN_OR_RETURN(dom::element doc, ParseDocument(body, kWhat));
  GetRecordsOutput out;
  std::string next;
  MP_RETURN_IF_ERROR(StringField(doc, "NextShardIterator", &next, kWhat));
  if (!next.empty()) out.next_shard_iterator = std::move(next);
  MP_RETURN_IF_ERROR(IntField(doc, "MillisBehindLatest", &out.millis_behind_latest, kWhat));
  MP_ASSIGN_OR_RETURN(dom::array records, ArrayField(doc, "Records", kWhat));
  std::string data_b64;
  for (dom::element r : records) {
    if (!r.is_object()) return Status::Fail("kinesis GetRecords: a Records entry is not an object");
    KinesisRecord rec;
    MP_RETURN_IF_ERROR(StringField(r, "SequenceNumber", &rec.sequence_number, kWhat));
    MP_RETURN_IF_ERROR(StringField(r, "PartitionKey", &rec.partition_key, kWhat));
    MP_RETURN_IF_ERROR(StringField(r, "Data", &data_b64, kWhat));
    if (rec.sequence_number.empty())
      return Status::Fail("kinesis GetRecords: a record has no SequenceNumber");
    Result<std::string> data = Base64Decode(data_b64);
    if (!data.ok()) {
      return Status::Fail("kinesis GetRecords: record " + rec.sequence_number +
                          ": Data is not base64: " + data.status().message());
    }
    rec.data = std::move(*data);
    dom::element ts;
    if (r["ApproximateArrivalTimestamp"].get(ts) == simdjson::SUCCESS && !ts.is_null()) {
      double seconds = 0;
      if (ts.get(seconds) != simdjson::SUCCESS || !std::isfinite(seconds) || seconds < 0 ||
          seconds > 1e13) {
        return Status::Fail("kinesis GetRecords: record " + rec.sequence_number +
                            ": ApproximateArrivalTimestamp is not epoch seconds");
      }
      rec.arrival_ms = static_cast<UnixMillis>(std::llround(seconds * 1000.0));
    }
    out.records.push_back(std::move(rec));
  }
  return out;
}

Result<ListShardsOutput> ParseListShards(std::string_view body) {
  constexpr std::string_view kWhat = "ListShards";
  MP_ASSIGN_OR_RETURN(dom::element doc, ParseDocument(body, kWhat));
  ListShardsOutput out;
  MP_RETURN_IF_ERROR(StringField(doc, "NextToken", &out.next_token, kWhat));
  MP_ASSIGN_OR_RETURN(dom::array shards, ArrayField(doc, "Shards", kWhat));
  for (dom::element s : shards) {
    if (!s.is_object()) return Status::Fail("kinesis ListShards: a Shards entry is not an object");
    KinesisShard k;
    MP_RETURN_IF_ERROR(StringField(s, "ShardId", &k.shard_id, kWhat));
    if (k.shard_id.empty()) return Status::Fail("kinesis ListShards: a shard has no ShardId");
    MP_RETURN_IF_ERROR(StringField(s, "ParentShardId", &k.parent_shard_id, kWhat));
    MP_RETURN_IF_ERROR(StringField(s, "AdjacentParentShardId", &k.adjacent_parent_shard_id, kWhat));
    dom::element range;
    if (s["HashKeyRange"].get(range) == simdjson::SUCCESS && range.is_object()) {
      MP_RETURN_IF_ERROR(StringField(range, "StartingHashKey", &k.starting_hash_key, kWhat));
      MP_RETURN_IF_ERROR(StringField(range, "EndingHashKey", &k.ending_hash_key, kWhat));
    }
    if (s["SequenceNumberRange"].get(range) == simdjson::SUCCESS && range.is_object()) {
      MP_RETURN_IF_ERROR(
          StringField(range, "StartingSequenceNumber", &k.starting_sequence_number, kWhat));
      MP_RETURN_IF_ERROR(
          StringField(range, "EndingSequenceNumber", &k.ending_sequence_number, kWhat));
    }
    out.shards.push_back(std::move(k));
  }
  return out;
}

Result<StreamSummary> ParseDescribeStreamSummary(std::string_view body) {
  constexpr std::string_view kWhat = "DescribeStreamSummary";
  MP_ASSIGN_OR_RETURN(dom::element doc, ParseDocument(body, kWhat));
  dom::element d;
  if (doc["StreamDescriptionSummary"].get(d) != simdjson::SUCCESS || !d.is_object()) {
    return Status::Fail("kinesis DescribeStreamSummary: no StreamDescriptionSummary object");
  }
  StreamSummary out;
  MP_RETURN_IF_ERROR(StringField(d, "StreamStatus", &out.status, kWhat));
  MP_RETURN_IF_ERROR(StringField(d, "StreamARN", &out.arn, kWhat));
  MP_RETURN_IF_ERROR(IntField(d, "OpenShardCount", &out.open_shard_count, kWhat));
  MP_RETURN_IF_ERROR(IntField(d, "MaxRecordSizeInKiB", &out.max_record_size_kib, kWhat));
  return out;
}

KinesisError ParseKinesisError(std::string_view errortype_header, std::string_view body) {
  KinesisError e;
  Result<dom::element> doc = ParseDocument(body, "error");
  if (doc.ok()) {
    for (std::string_view k : {"__type", "code", "Code"}) {
      std::string v;
      if (StringField(*doc, k, &v, "error").ok() && !v.empty()) {
        e.code = StripCode(v);
        break;
      }
    }
    for (std::string_view k : {"message", "Message"}) {
      std::string v;
      if (StringField(*doc, k, &v, "error").ok() && !v.empty()) {
        e.message = std::move(v);
        break;
      }
    }
  }
  if (!errortype_header.empty()) e.code = StripCode(errortype_header);
  return e;
}

Status KinesisStatus(long http_status, const KinesisError& error, std::string_view operation,
                     std::string_view stream) {
  if (http_status >= 200 && http_status < 300) return Status::Ok();
  const std::string& code = error.code;
  std::string msg = "kinesis " + std::string(operation) + " on stream '" + std::string(stream) +
                    "': HTTP " + std::to_string(http_status);
  if (!code.empty()) msg += " " + code;
  if (!error.message.empty()) msg += ": " + error.message;

  if (code == "ResourceNotFoundException") {
    return Status::NotFound("kinesis stream '" + std::string(stream) +
                            "' (or its shard) does not exist: " + msg);
  }
  if (code == "ProvisionedThroughputExceededException" || code == "LimitExceededException" ||
      code == "ThrottlingException" || code == "KMSThrottlingException" ||
      code == "InternalFailure" || code == "InternalFailureException" ||
      code == "ServiceUnavailable" || code == "ResourceInUseException" ||
      code == "RequestTimeout" || http_status >= 500 || http_status == 429 || http_status == 408) {
    return Status::Retry(std::move(msg));
  }
  if (http_status == 401 || http_status == 403 || code == "AccessDeniedException" ||
      code == "UnrecognizedClientException" || code == "InvalidSignatureException" ||
      code == "IncompleteSignature" || code == "MissingAuthenticationToken" ||
      code == "ExpiredTokenException") {
    return Status::Forbidden(std::move(msg));
  }
  if (code == "InvalidArgumentException" || code == "ValidationException" ||
      code == "SerializationException" || code == "ExpiredIteratorException") {
    return Status::Invalid(std::move(msg));
  }
  return Status::Fail(std::move(msg));
}

bool IsRetryableRecordError(std::string_view error_code) {
  // Documented codes are ProvisionedThroughputExceededException and
  // InternalFailure; an unknown code is retried too, up to the deadline:
  // failing loudly later beats dropping an event the service might take.
  return !error_code.empty();
}

std::optional<ShardId> ShardIdFromName(std::string_view name) {
  size_t dash = name.rfind('-');
  std::string_view digits = dash == std::string_view::npos ? name : name.substr(dash + 1);
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return std::nullopt;
  }
  return ShardId(static_cast<uint32_t>(v));
}

std::string ShardNameFor(ShardId shard) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "shardId-%012u", shard.value());
  return buf;
}

}  // namespace mailpulse
