// Helpers for the delivery tests: an in-memory ObjectStore with injectable
// failures, a Stream wrapper whose checkpoints can fail, and SendGrid-like
// enriched payloads.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>

#include "storage/object_store.h"
#include "stream/stream.h"

namespace mailpulse::testing {

class MemoryObjectStore final : public ObjectStore {
 public:
  Status Put(std::string_view key, std::string_view data, const PutOptions&) override {
    std::lock_guard<std::mutex> l(mu_);
    ++put_calls;
    if (fail_next_puts > 0) {
      --fail_next_puts;
      return Status::Retry("injected: 503 SlowDown");
    }
    if (fail_after_puts >= 0 && puts_ok >= fail_after_puts) return Status::Retry("injected: store went away");
    ++puts_ok;
    objects[std::string(key)] = std::string(data);
    return Status::Ok();
  }
  using ObjectStore::Put;
  Result<std::string> Get(std::string_view key) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = objects.find(std::string(key));
    if (it == objects.end()) return Status::NotFound(std::string(key));
    return it->second;
  }
  Result<std::string> GetRange(std::string_view key, uint64_t, uint64_t) override { return Get(key); }
  Result<ListPage> List(std::string_view prefix, std::string_view, int) override {
    std::lock_guard<std::mutex> l(mu_);
    ListPage p;
    for (auto& [k, v] : objects) {
      if (k.rfind(prefix, 0) == 0) p.objects.push_back({k, v.size()});
    }
    return p;
  }
  Status Delete(std::string_view key) override {
    std::lock_guard<std::mutex> l(mu_);
    objects.erase(std::string(key));
    return Status::Ok();
  }
  std::string Describe() const override { return "memory://"; }

  std::map<std::string, std::string> Snapshot() {
    std::lock_guard<std::mutex> l(mu_);
    return objects;
  }

  std::mutex mu_;
  std::map<std::string, std::string> objects;
  int fail_next_puts = 0;
  int fail_after_puts = -1;  // >= 0: every put after this many successes fails
  int puts_ok = 0;
  int put_calls = 0;
};

// Forwards to a real stream; SaveCheckpoint of `fail_consumer` fails while set.
class CheckpointFailingStream final : public Stream {
 public:
  explicit CheckpointFailingStream(Stream* s) : s_(s) {}
  uint32_t shard_count() const override { return s_->shard_count(); }
  void Append(ShardId shard, std::vector<AppendRecord> r, AppendCallback done) override {
    s_->Append(shard, std::move(r), std::move(done));
  }
  Result<std::unique_ptr<StreamReader>> OpenReader(ShardId shard, StartPosition start) override {
    return s_->OpenReader(shard, start);
  }
  Status SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) override {
    if (consumer == fail_consumer) return Status::Retry("injected: checkpoint write failed");
    return s_->SaveCheckpoint(consumer, shard, seq);
  }
  Result<SequenceNumber> LoadCheckpoint(std::string_view consumer, ShardId shard) override {
    return s_->LoadCheckpoint(consumer, shard);
  }
  std::vector<ShardInfo> Describe() override { return s_->Describe(); }
  void Close() override {}

  std::string fail_consumer;

 private:
  Stream* s_;
};

// An enriched record payload as ingest writes it (docs/formats/event-record.md).
inline std::string EventPayload(const std::string& event, const std::string& id, const std::string& campaign,
                                int64_t ts_seconds = 1699999000, UnixMillis received = 1700000000000) {
  std::string p = R"({"_mailpulse":{"received_ms":)" + std::to_string(received) +
                  R"(,"webhook":"default","message_id":"m-)" + id + R"(","event_ms":)" +
                  std::to_string(ts_seconds * 1000) + R"(},"email":"u)" + id + R"(@example.com","timestamp":)" +
                  std::to_string(ts_seconds) + R"(,"event":")" + event + R"(","sg_event_id":")" + id +
                  R"(","sg_message_id":"m-)" + id + R"(.filter")";
  if (!campaign.empty()) p += R"(,"marketing_campaign_id":")" + campaign + R"(")";
  return p + "}";
}

}  // namespace mailpulse::testing
