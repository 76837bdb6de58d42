#include "stream/kinesis/kinesis_client.h"

#include "common/sha256.h"

namespace mailpulse {

KinesisClient::KinesisClient(const KinesisOptions& options, AwsCredentials credentials,
                             const Clock* clock, KinesisTransport transport, SleepFn sleep)
    : options_(options),
      signer_(std::move(credentials), SigV4Config{options.region, "kinesis", true, false}),
      clock_(clock),
      transport_(std::move(transport)),
      sleep_(std::move(sleep)),
      endpoint_(options.endpoint()) {
  if (!transport_) {
    curl_ = std::make_unique<CurlClient>(options_.http);
    transport_ = [c = curl_.get()](const CurlRequest& r) { return c->Send(r); };
  }
}

KinesisHttpRequest KinesisClient::BuildRequest(std::string_view operation, std::string body,
                                               UnixMillis now) const {
  SigV4Request s;
  s.method = "POST";
  s.path = "/";
  s.headers = {{"host", options_.host},
               {"content-type", std::string(kKinesisContentType)},
               {"x-amz-target", std::string(kKinesisTargetPrefix) + std::string(operation)}};
  s.payload_hash = HexEncode(Sha256(body));
  signer_.Sign(&s, now);
  KinesisHttpRequest out;
  out.body = std::move(body);
  out.curl.method = "POST";
  out.curl.url = endpoint_ + "/";
  out.curl.headers = std::move(s.headers);
  out.curl.body = out.body;
  return out;
}

Result<std::string> KinesisClient::Call(std::string_view operation, std::string body,
                                        std::string_view stream, KinesisError* error) {
  KinesisHttpRequest req = BuildRequest(operation, std::move(body), clock_->NowMillis());
  req.curl.body = req.body;
  Result<CurlResponse> resp = transport_(req.curl);
  if (!resp.ok()) {
    const Status& s = resp.status();
    return Status(s.kind(), "kinesis " + std::string(operation) + " on stream '" +
                                std::string(stream) + "': " + s.message());
  }
  if (resp->status >= 200 && resp->status < 300) return std::move(resp->body);
  KinesisError e = ParseKinesisError(resp->Header("x-amzn-errortype"), resp->body);
  Status st = KinesisStatus(resp->status, e, operation, stream);
  if (error != nullptr) *error = std::move(e);
  return st;
}

Result<std::string> KinesisClient::CallWithRetries(std::string_view operation,
                                                   const std::string& body,
                                                   std::string_view stream) {
  return RunWithRetries<std::string>(options_.call_retry, sleep_, [&]() -> Result<std::string> {
    return Call(operation, body, stream, nullptr);
  });
}

Result<PutRecordsOutput> KinesisClient::PutRecords(std::string_view stream,
                                                   std::span<const PutRecordsEntry> entries) {
  MP_ASSIGN_OR_RETURN(std::string body,
                      Call("PutRecords", PutRecordsBody(stream, entries), stream, nullptr));
  MP_ASSIGN_OR_RETURN(PutRecordsOutput out, ParsePutRecords(body));
  if (out.records.size() != entries.size()) {
    return Status::Retry("kinesis PutRecords on stream '" + std::string(stream) +
                         "': " + std::to_string(out.records.size()) + " results for " +
                         std::to_string(entries.size()) + " records");
  }
  return out;
}

Result<std::string> KinesisClient::GetShardIterator(std::string_view stream,
                                                    std::string_view shard_id,
                                                    std::string_view type,
                                                    std::string_view sequence_number,
                                                    UnixMillis timestamp_ms) {
  MP_ASSIGN_OR_RETURN(
      std::string body,
      CallWithRetries("GetShardIterator",
                      GetShardIteratorBody(stream, shard_id, type, sequence_number, timestamp_ms),
                      stream));
  return ParseGetShardIterator(body);
}

Result<GetRecordsOutput> KinesisClient::GetRecords(std::string_view stream,
                                                   std::string_view iterator, int limit,
                                                   bool* expired) {
  *expired = false;
  KinesisError error;
  Result<std::string> body = Call("GetRecords", GetRecordsBody(iterator, limit), stream, &error);
  if (!body.ok()) {
    if (error.code == "ExpiredIteratorException") {
      *expired = true;
      return GetRecordsOutput{};
    }
    return body.status();
  }
  return ParseGetRecords(*body);
}

Result<std::vector<KinesisShard>> KinesisClient::ListAllShards(std::string_view stream) {
  std::vector<KinesisShard> out;
  std::string token;
  for (int page = 0; page < 10'000; ++page) {
    MP_ASSIGN_OR_RETURN(std::string body,
                        CallWithRetries("ListShards", ListShardsBody(stream, token), stream));
    MP_ASSIGN_OR_RETURN(ListShardsOutput listed, ParseListShards(body));
    for (KinesisShard& s : listed.shards) out.push_back(std::move(s));
    if (listed.next_token.empty()) return out;
    if (listed.next_token == token) {
      return Status::Fail("kinesis ListShards on stream '" + std::string(stream) +
                          "': the service returned the same NextToken twice");
    }
    token = std::move(listed.next_token);
  }
  return Status::Fail("kinesis ListShards on stream '" + std::string(stream) +
                      "': more than 10000 pages");
}

Result<StreamSummary> KinesisClient::DescribeStreamSummary(std::string_view stream) {
  MP_ASSIGN_OR_RETURN(std::string body, CallWithRetries("DescribeStreamSummary",
                                                        DescribeStreamSummaryBody(stream), stream));
  return ParseDescribeStreamSummary(body);
}

}  // namespace mailpulse
