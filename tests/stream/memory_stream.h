// An in-memory Stream whose shards can close and have parents, as a Kinesis
// stream after a reshard, for the consumers' lineage tests. Records are
// added to a shard directly (Add); Append routes by ShardFor over the open
// shards. Sequence numbers are Kinesis-sized (56 digits) so consumers must
// not assume 64-bit numbers.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "stream/stream.h"

namespace mailpulse::testing {

class MemoryStream final : public Stream {
 public:
  // A sequence number of 56 digits for record n of a shard.
  static SequenceNumber Seq(uint32_t shard, uint64_t n) {
    std::string digits = "4954698668313554428650745793632162567570" + std::to_string(1000 + shard);
    std::string tail = std::to_string(n);
    digits += std::string(12 - tail.size(), '0') + tail;
    return *SequenceNumber::FromDecimal(digits);
  }

  void AddShard(uint32_t id, std::vector<uint32_t> parents = {}) {
    std::lock_guard<std::mutex> l(mu_);
    Shard& s = shards_[ShardId(id)];
    for (uint32_t p : parents) s.parents.push_back(ShardId(p));
  }
  void CloseShard(uint32_t id) {
    std::lock_guard<std::mutex> l(mu_);
    shards_[ShardId(id)].closed = true;
  }
  void Add(uint32_t id, std::string key, std::string payload, UnixMillis arrival_ms = 1) {
    std::lock_guard<std::mutex> l(mu_);
    Shard& s = shards_[ShardId(id)];
    StreamRecord r;
    r.seq = Seq(id, s.records.size() + 1);
    r.arrival_ms = arrival_ms;
    r.partition_key = std::move(key);
    r.payload = std::move(payload);
    s.records.push_back(std::move(r));
  }

  uint32_t shard_count() const override { return 1; }
  void Append(ShardId, std::vector<AppendRecord> records, AppendCallback done) override {
    for (const AppendRecord& r : records) {
      uint32_t open = 0;
      {
        std::lock_guard<std::mutex> l(mu_);
        for (auto& [id, s] : shards_)
          if (!s.closed) open = id.value();
      }
      Add(open, std::string(r.partition_key), std::string(r.payload), r.arrival_ms);
    }
    done(Status::Ok(), SequenceNumber(), SequenceNumber());
  }

  class Reader final : public StreamReader {
   public:
    Reader(MemoryStream* s, ShardId id, SequenceNumber after) : s_(s), id_(id), after_(after) {}
    Result<std::vector<StreamRecord>> Read(size_t max_records, size_t) override {
      std::lock_guard<std::mutex> l(s_->mu_);
      const Shard& sh = s_->shards_[id_];
      std::vector<StreamRecord> out;
      for (const StreamRecord& r : sh.records) {
        if (r.seq <= after_) continue;
        if (out.size() == max_records) break;
        out.push_back(r);
      }
      if (!out.empty()) after_ = out.back().seq;
      end_ = sh.closed && (sh.records.empty() || sh.records.back().seq <= after_);
      return out;
    }
    bool at_shard_end() const override { return end_; }

   private:
    MemoryStream* s_;
    ShardId id_;
    SequenceNumber after_;
    bool end_ = false;
  };

  Result<std::unique_ptr<StreamReader>> OpenReader(ShardId shard, StartPosition start) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!shards_.count(shard)) return Status::Invalid("no shard");
    ++opened_[shard];
    SequenceNumber after;
    if (start.kind == StartPosition::Kind::kAfterSequence) after = start.seq;
    return std::unique_ptr<StreamReader>(new Reader(this, shard, after));
  }
  Status SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) override {
    std::lock_guard<std::mutex> l(mu_);
    checkpoints_[std::string(consumer)][shard] = seq;
    return Status::Ok();
  }
  Result<SequenceNumber> LoadCheckpoint(std::string_view consumer, ShardId shard) override {
    std::lock_guard<std::mutex> l(mu_);
    auto c = checkpoints_.find(std::string(consumer));
    if (c == checkpoints_.end() || !c->second.count(shard)) return Status::NotFound("none");
    return c->second[shard];
  }
  std::vector<ShardInfo> Describe() override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<ShardInfo> out;
    for (auto& [id, s] : shards_) {
      ShardInfo i;
      i.id = id;
      i.name = "shardId-" + std::to_string(id.value());
      i.parents = s.parents;
      i.closed = s.closed;
      if (!s.records.empty()) {
        i.first_seq = s.records.front().seq;
        i.last_seq = s.records.back().seq;
      }
      i.records = s.records.size();
      out.push_back(i);
    }
    return out;
  }
  void Close() override {}

  SequenceNumber checkpoint(const std::string& consumer, uint32_t shard) {
    std::lock_guard<std::mutex> l(mu_);
    return checkpoints_[consumer][ShardId(shard)];
  }
  int opened(uint32_t shard) {
    std::lock_guard<std::mutex> l(mu_);
    return opened_[ShardId(shard)];
  }

 private:
  struct Shard {
    std::vector<ShardId> parents;
    bool closed = false;
    std::vector<StreamRecord> records;
  };
  std::mutex mu_;
  std::map<ShardId, Shard> shards_;
  std::map<std::string, std::map<ShardId, SequenceNumber>> checkpoints_;
  std::map<ShardId, int> opened_;
};

}  // namespace mailpulse::testing
