// FakeKinesis: an in-process Kinesis Data Streams for the KinesisStream tests,
// answering KinesisClient's requests through its transport seam. It speaks
// the same JSON the real service does for the five operations mailpulse
// uses, routes records by MD5 of the partition key over the open shards'
// hash ranges, hands out 56-digit sequence numbers (as real Kinesis does,
// far beyond 64 bits), can split a shard (closing the parent), and injects
// faults: whole-request failures, per-record failures, expired iterators,
// and a gate that holds PutRecords until opened.
#pragma once

#include <simdjson.h>

#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/base64.h"
#include "common/json_escape.h"
#include "common/md5.h"
#include "stream/kinesis/kinesis_client.h"
#include "stream/stream.h"

namespace mailpulse::testing {

class FakeKinesis {
 public:
  struct Rec {
    std::string seq, key, data;
    double arrival_s = 0;
  };
  struct Shard {
    std::string id;
    std::string parent, adjacent;
    std::string start_hash, end_hash;
    std::string start_seq, end_seq;
    std::vector<Rec> records;
  };

  FakeKinesis(std::string stream, uint32_t shards) : stream_(std::move(stream)) {
    for (uint32_t i = 0; i < shards; ++i) {
      auto [lo, hi] = ShardHashKeyRange(i, shards);
      shards_.push_back(Shard{Name(i), "", "", lo, hi, NextSeq(), "", {}});
    }
  }

  KinesisTransport transport() {
    return [this](const CurlRequest& req) { return Handle(req); };
  }

  // --- faults and observation (thread-safe) ---
  // PutRecords requests answer this status (0 = normal) while the count lasts.
  void FailPuts(int count, long status, std::string code) {
    std::lock_guard<std::mutex> l(mu_);
    fail_puts_ = count;
    fail_status_ = status;
    fail_code_ = std::move(code);
  }
  // Per record: return an ErrorCode to fail it ("" = store it).
  void SetRecordFault(std::function<std::string(const std::string& key, int attempt)> f) {
    std::lock_guard<std::mutex> l(mu_);
    record_fault_ = std::move(f);
  }
  void ExpireNextGetRecords() {
    std::lock_guard<std::mutex> l(mu_);
    expire_next_ = true;
  }
  void CloseGate() {
    std::lock_guard<std::mutex> l(mu_);
    gate_open_ = false;
  }
  void OpenGate() {
    {
      std::lock_guard<std::mutex> l(mu_);
      gate_open_ = true;
    }
    cv_.notify_all();
  }
  void SetMissing(bool missing) {
    std::lock_guard<std::mutex> l(mu_);
    missing_ = missing;
  }
  void SetMaxRecordKiB(int kib) {
    std::lock_guard<std::mutex> l(mu_);
    max_record_kib_ = kib;
  }
  // Splits open shard `index` at the middle of its hash range: the parent
  // closes, two children take its range.
  void Split(size_t index) {
    std::lock_guard<std::mutex> l(mu_);
    Shard& p = shards_[index];
    p.end_seq = NextSeq();
    unsigned __int128 lo = Parse128(p.start_hash), hi = Parse128(p.end_hash);
    unsigned __int128 mid = lo + (hi - lo) / 2;
    std::string parent = p.id;
    std::string a_lo = p.start_hash, a_hi = Dec(mid), b_lo = Dec(mid + 1), b_hi = p.end_hash;
    uint32_t n = static_cast<uint32_t>(shards_.size());
    shards_.push_back(Shard{Name(n), parent, "", a_lo, a_hi, NextSeq(), "", {}});
    shards_.push_back(Shard{Name(n + 1), parent, "", b_lo, b_hi, NextSeq(), "", {}});
  }
  std::vector<size_t> put_request_sizes() {
    std::lock_guard<std::mutex> l(mu_);
    return put_sizes_;
  }
  std::vector<uint64_t> put_request_bytes() {
    std::lock_guard<std::mutex> l(mu_);
    return put_bytes_;
  }
  std::vector<Shard> shards() {
    std::lock_guard<std::mutex> l(mu_);
    return shards_;
  }
  size_t total_records() {
    std::lock_guard<std::mutex> l(mu_);
    size_t n = 0;
    for (const Shard& s : shards_) n += s.records.size();
    return n;
  }
  int get_records_calls() {
    std::lock_guard<std::mutex> l(mu_);
    return get_records_calls_;
  }
  std::vector<std::string> iterator_requests() {
    std::lock_guard<std::mutex> l(mu_);
    return iterator_requests_;
  }

 private:
  static std::string Name(uint32_t i) {
    char b[32];
    std::snprintf(b, sizeof(b), "shardId-%012u", i);
    return b;
  }
  static unsigned __int128 Parse128(const std::string& s) {
    unsigned __int128 v = 0;
    for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
    return v;
  }
  static std::string Dec(unsigned __int128 v) {
    if (v == 0) return "0";
    std::string s;
    while (v) {
      s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
      v /= 10;
    }
    return s;
  }
  // 56 digits, increasing: "49" + 54-digit counter.
  std::string NextSeq() {
    char b[64];
    std::snprintf(b, sizeof(b), "49%054llu", static_cast<unsigned long long>(++seq_counter_));
    return b;
  }
  static CurlResponse Json(long status, std::string body) {
    CurlResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static CurlResponse Error(long status, const std::string& code, const std::string& message) {
    return Json(status, "{\"__type\":\"" + code + "\",\"message\":\"" + message + "\"}");
  }

  Result<CurlResponse> Handle(const CurlRequest& req) {
    std::string target;
    for (const auto& [k, v] : req.headers)
      if (k == "x-amz-target") target = v;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(req.body.data(), req.body.size()).get(doc) != simdjson::SUCCESS)
      return Error(400, "SerializationException", "bad json");
    std::unique_lock<std::mutex> l(mu_);
    if (missing_)
      return Error(400, "ResourceNotFoundException", "Stream " + stream_ + " not found.");
    if (target == "Kinesis_20131202.DescribeStreamSummary") {
      size_t open = 0;
      for (const Shard& s : shards_) open += s.end_seq.empty() ? 1 : 0;
      std::string body =
          "{\"StreamDescriptionSummary\":{\"StreamName\":\"" + stream_ +
          "\",\"StreamStatus\":\"ACTIVE\",\"OpenShardCount\":" + std::to_string(open);
      if (max_record_kib_ > 0) body += ",\"MaxRecordSizeInKiB\":" + std::to_string(max_record_kib_);
      return Json(200, body + "}}");
    }
    if (target == "Kinesis_20131202.ListShards") {
      std::string body = "{\"Shards\":[";
      for (size_t i = 0; i < shards_.size(); ++i) {
        const Shard& s = shards_[i];
        if (i) body += ",";
        body += "{\"ShardId\":\"" + s.id + "\"";
        if (!s.parent.empty()) body += ",\"ParentShardId\":\"" + s.parent + "\"";
        if (!s.adjacent.empty()) body += ",\"AdjacentParentShardId\":\"" + s.adjacent + "\"";
        body += ",\"HashKeyRange\":{\"StartingHashKey\":\"" + s.start_hash +
                "\",\"EndingHashKey\":\"" + s.end_hash +
                "\"},\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"" + s.start_seq + "\"";
        if (!s.end_seq.empty()) body += ",\"EndingSequenceNumber\":\"" + s.end_seq + "\"";
        body += "}}";
      }
      return Json(200, body + "]}");
    }
    if (target == "Kinesis_20131202.PutRecords") {
      cv_.wait(l, [&] { return gate_open_; });
      if (fail_puts_ > 0) {
        --fail_puts_;
        return Error(fail_status_, fail_code_, "injected");
      }
      simdjson::dom::array records = doc["Records"].get_array();
      size_t n = 0;
      uint64_t bytes = 0;
      std::string body = "{\"Records\":[";
      int failed = 0;
      for (simdjson::dom::element r : records) {
        std::string key(r["PartitionKey"].get_string().value());
        std::string data = *Base64Decode(r["Data"].get_string().value());
        bytes += key.size() + data.size();
        if (n++) body += ",";
        int attempt = attempts_[key]++;
        std::string fault = record_fault_ ? record_fault_(key, attempt) : "";
        if (!fault.empty()) {
          ++failed;
          body += "{\"ErrorCode\":\"" + fault + "\",\"ErrorMessage\":\"injected\"}";
          continue;
        }
        Shard& s = Route(key);
        std::string seq = NextSeq();
        s.records.push_back(Rec{seq, key, data, 1700000000.25 + static_cast<double>(seq_counter_)});
        body += "{\"SequenceNumber\":\"" + seq + "\",\"ShardId\":\"" + s.id + "\"}";
      }
      put_sizes_.push_back(n);
      put_bytes_.push_back(bytes);
      return Json(200,
                  "{\"FailedRecordCount\":" + std::to_string(failed) + "," + body.substr(1) + "]}");
    }
    if (target == "Kinesis_20131202.GetShardIterator") {
      std::string id(doc["ShardId"].get_string().value());
      std::string type(doc["ShardIteratorType"].get_string().value());
      std::string seq;
      std::string_view sv;
      if (doc["StartingSequenceNumber"].get(sv) == simdjson::SUCCESS) seq = std::string(sv);
      iterator_requests_.push_back(type + (seq.empty() ? "" : " " + seq));
      Shard* s = Find(id);
      if (s == nullptr)
        return Error(400, "ResourceNotFoundException", "Shard " + id + " not found");
      size_t pos = 0;
      if (type == "LATEST") {
        pos = s->records.size();
      } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
        while (
            pos < s->records.size() &&
            (type == "AT_SEQUENCE_NUMBER" ? s->records[pos].seq < seq : s->records[pos].seq <= seq))
          ++pos;
      } else if (type == "AT_TIMESTAMP") {
        double ts = doc["Timestamp"].get_double().value();
        while (pos < s->records.size() && s->records[pos].arrival_s < ts) ++pos;
      }
      return Json(200, "{\"ShardIterator\":\"" + id + "|" + std::to_string(pos) + "\"}");
    }
    if (target == "Kinesis_20131202.GetRecords") {
      ++get_records_calls_;
      if (expire_next_) {
        expire_next_ = false;
        return Error(400, "ExpiredIteratorException", "Iterator expired");
      }
      std::string it(doc["ShardIterator"].get_string().value());
      int64_t limit = doc["Limit"].get_int64().value();
      std::string id = it.substr(0, it.find('|'));
      size_t pos = std::stoul(it.substr(it.find('|') + 1));
      Shard* s = Find(id);
      if (s == nullptr) return Error(400, "ResourceNotFoundException", "no shard");
      std::string body = "{\"Records\":[";
      size_t end = std::min(s->records.size(), pos + static_cast<size_t>(limit));
      for (size_t i = pos; i < end; ++i) {
        const Rec& r = s->records[i];
        if (i != pos) body += ",";
        char ts[64];
        std::snprintf(ts, sizeof(ts), "%.3f", r.arrival_s);
        body += "{\"SequenceNumber\":\"" + r.seq + "\",\"ApproximateArrivalTimestamp\":" + ts +
                ",\"Data\":\"" + Base64Encode(r.data) + "\",\"PartitionKey\":";
        AppendJsonString(body, r.key);
        body += "}";
      }
      body += "],\"MillisBehindLatest\":0";
      if (!(s->end_seq.size() && end == s->records.size()))
        body += ",\"NextShardIterator\":\"" + id + "|" + std::to_string(end) + "\"";
      return Json(200, body + "}");
    }
    return Error(400, "UnknownOperationException", target);
  }

  Shard* Find(const std::string& id) {
    for (Shard& s : shards_)
      if (s.id == id) return &s;
    return nullptr;
  }
  Shard& Route(const std::string& key) {
    // MD5 of the key as a 128-bit integer, into the open shard whose range holds it.
    std::vector<Shard*> open;
    for (Shard& s : shards_)
      if (s.end_seq.empty()) open.push_back(&s);
    // ShardForKey splits evenly over n shards; after a split ranges are
    // uneven, so compare against the ranges directly.
    unsigned __int128 h = HashOf(key);
    for (Shard* s : open)
      if (h >= Parse128(s->start_hash) && h <= Parse128(s->end_hash)) return *s;
    return *open.back();
  }
  static unsigned __int128 HashOf(const std::string& key) {
    auto md = Md5(key);
    unsigned __int128 v = 0;
    for (int i = 0; i < 16; ++i) v = (v << 8) | md[i];
    return v;
  }

  std::string stream_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Shard> shards_;
  unsigned long long seq_counter_ = 0;
  int fail_puts_ = 0;
  long fail_status_ = 500;
  std::string fail_code_;
  std::function<std::string(const std::string&, int)> record_fault_;
  std::map<std::string, int> attempts_;
  bool expire_next_ = false;
  bool gate_open_ = true;
  bool missing_ = false;
  int max_record_kib_ = 0;
  std::vector<size_t> put_sizes_;
  std::vector<uint64_t> put_bytes_;
  int get_records_calls_ = 0;
  std::vector<std::string> iterator_requests_;
};

}  // namespace mailpulse::testing
