// Delivery benchmark (docs/benchmarks.md, "Delivery"): how fast the lake
// writer (Firehose's role) turns stream records into partitioned, compressed
// objects, per encoding.
//
//  1. The simulator's traffic (src/sim/traffic.h: SendGrid-shaped events over
//     C campaigns) is parsed by the webhook body parser and enriched exactly
//     as ingest does (AppendEnrichedPayload), then appended to a fresh
//     embedded stream of S shards — the same records `serve` writes.
//  2. For each encoding, a fresh local lake: one ShardDeliverer per shard on
//     its own thread (as DeliveryService runs them), buffer 8 MiB, reading
//     from the trim horizon until the shard is drained, then a final flush.
//     Every object is fsync'd and renamed by the local store, as in `serve`.
//
// Prints, per encoding and thread count: events/s, input MB/s (stream
// payload bytes), output MB/s and the compression ratio, and checks that the
// lake holds exactly the number of records appended.
//
// Built by `cmake -DMAILPULSE_BENCH=ON` (make bench); run:
//   build/delivery_bench [events=1000000] [shards=4] [campaigns=50] [dir=$TMPDIR]
//   [put_concurrency=16]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "delivery/delivery_probe.h"
#include "delivery/delivery_service.h"
#include "delivery/encoder.h"
#include "delivery/shard_deliverer.h"
#include "event/event.h"
#include "event/event_payload.h"
#include "event/webhook_body.h"
#include "sim/traffic.h"
#include "storage/local/local_object_store.h"
#include "stream/local/local_stream.h"

using namespace mailpulse;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

namespace {

void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "delivery_bench: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(1);
}

struct Filled {
  uint64_t records = 0;
  uint64_t payload_bytes = 0;
};

// Appends the simulator's events, enriched as ingest enriches them.
Filled Fill(LocalStream& stream, int64_t events, int campaigns) {
  TrafficOptions to;
  to.campaigns = campaigns;
  to.total_events = events;
  to.batch_size = 1000;
  to.duplicate_fraction = 0;  // ingest would have dropped them
  to.messages_per_second = 2000;
  TrafficGenerator gen(to);
  Filled f;
  std::vector<BodyElement> elements;
  std::atomic<int> outstanding{0};
  std::atomic<bool> failed{false};
  const UnixMillis now = 1767225600000;
  while (auto batch = gen.NextBatch()) {
    std::string body = std::move(batch->body);
    ReserveBodyPadding(body);
    Status st = ParseWebhookBody(body, now, &elements);
    if (!st.ok()) Die("parse", st);
    // One append per shard per body, as the webhook handler does.
    auto buffers = std::make_shared<std::vector<std::string>>(stream.shard_count());
    auto keys = std::make_shared<std::vector<std::string>>();
    keys->reserve(elements.size());
    std::vector<std::vector<std::pair<size_t, size_t>>> spans(stream.shard_count());
    std::vector<std::vector<size_t>> key_of(stream.shard_count());
    for (const BodyElement& el : elements) {
      if (el.reject_reason) continue;
      keys->emplace_back(PartitionKeyView(el.fields));
      uint32_t s = stream.ShardFor(keys->back()).value();
      std::string& buf = (*buffers)[s];
      size_t start = buf.size();
      AppendEnrichedPayload(buf, el.fields, el.raw, now, "default");
      spans[s].emplace_back(start, buf.size() - start);
      key_of[s].push_back(keys->size() - 1);
      f.payload_bytes += buf.size() - start;
    }
    for (uint32_t s = 0; s < stream.shard_count(); ++s) {
      if (spans[s].empty()) continue;
      std::vector<AppendRecord> recs;
      for (size_t k = 0; k < spans[s].size(); ++k) {
        recs.push_back(
            {(*keys)[key_of[s][k]],
             std::string_view((*buffers)[s]).substr(spans[s][k].first, spans[s][k].second), now});
      }
      f.records += recs.size();
      outstanding.fetch_add(1);
      stream.Append(ShardId(s), std::move(recs),
                    [&, buffers, keys](const Status& st, SequenceNumber, SequenceNumber) {
                      if (!st.ok()) failed.store(true);
                      outstanding.fetch_sub(1);
                    });
    }
    while (outstanding.load() > 64) std::this_thread::yield();
  }
  while (outstanding.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (failed.load()) Die("append", Status::Fail("an append failed"));
  return f;
}

// User and system CPU seconds of this process so far.
std::pair<double, double> CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return {sec(u.ru_utime), sec(u.ru_stime)};
}

struct Run {
  double seconds = 0;
  double user_seconds = 0, sys_seconds = 0;
  uint64_t records = 0, objects = 0, object_bytes = 0;
};

Run Deliver(LocalStream& stream, const std::string& encoding, const fs::path& lake_dir,
            uint32_t threads, int put_concurrency) {
  // Every run writes a lake of its own; all are removed only at the end.
  // Deleting thousands of files right before a run makes ext4's inode
  // allocator scan past them (recently_deleted), which bills the next run
  // ~20 us of system time per event: an artifact, not delivery's cost.
  MetricsRegistry metrics;
  DeliveryProbe probe(metrics, "events");
  BatchOptions batch;
  Status st = PrefixTemplate::ParsePair(DeliveryOptions::kDefaultLakePrefix,
                                        DeliveryOptions::kDefaultLakeErrorPrefix, &batch.prefix,
                                        &batch.error_prefix);
  if (!st.ok()) Die("prefix", st);
  auto enc = FindEncoding(encoding);
  if (!enc.ok()) Die("encoding", enc.status());
  batch.encoding = *enc;
  auto store_r = LocalObjectStore::Open(lake_dir.string());
  if (!store_r.ok()) Die("lake", store_r.status());
  LocalObjectStore& store = **store_r;
  ShardDelivererOptions so;
  so.consumer = "bench-" + encoding + "-" + std::to_string(threads);
  so.buffer_bytes = 8u << 20;
  so.interval_ms = 3'600'000;
  TaskPool pool_for_puts(put_concurrency, "mp-put");
  if (put_concurrency > 1) so.put_pool = &pool_for_puts;

  std::atomic<uint32_t> next_shard{0};
  std::latch start(threads + 1);
  std::vector<std::thread> pool;
  for (uint32_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      start.arrive_and_wait();
      for (uint32_t s; (s = next_shard.fetch_add(1)) < stream.shard_count();) {
        ShardDeliverer d(so, &batch, &stream, &store, ShardId(s), &probe);
        Status rs = d.Recover();
        if (!rs.ok()) Die("recover", rs);
        for (;;) {
          auto n = d.Step();
          if (!n.ok()) Die("step", n.status());
          if (*n == 0) break;
        }
        Status fs = d.Flush();
        if (!fs.ok()) Die("flush", fs);
      }
    });
  }
  auto t0 = SteadyClock::now();
  auto cpu0 = CpuSeconds();
  start.arrive_and_wait();
  for (auto& t : pool) t.join();
  Run r;
  r.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  auto cpu1 = CpuSeconds();
  r.user_seconds = cpu1.first - cpu0.first;
  r.sys_seconds = cpu1.second - cpu0.second;
  r.records = probe.records.value();
  r.objects = probe.objects.value();
  r.object_bytes = probe.bytes.value();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t events = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  uint32_t shards = argc > 2 ? static_cast<uint32_t>(std::atoi(argv[2])) : 4;
  int campaigns = argc > 3 ? std::atoi(argv[3]) : 50;
  fs::path base = argc > 4 ? fs::path(argv[4])
                           : fs::path(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  int put_concurrency = argc > 5 ? std::atoi(argv[5]) : 16;
  fs::path dir = base / ("mailpulse-delivery-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);

  LocalStreamOptions lo;
  lo.dir = (dir / "stream").string();
  lo.shards = shards;
  auto stream = LocalStream::Open(lo);
  if (!stream.ok()) Die("open stream", stream.status());
  auto t0 = SteadyClock::now();
  Filled filled = Fill(**stream, events, campaigns);
  double fill_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  std::printf(
      "stream: %llu records, %.1f MB of payload (%.0f B/record), %u shards, filled in %.1f s\n",
      static_cast<unsigned long long>(filled.records), filled.payload_bytes / 1e6,
      static_cast<double>(filled.payload_bytes) / static_cast<double>(filled.records), shards,
      fill_s);
  std::printf(
      "\n| encoding | threads | seconds | events/s | input MB/s | output MB | output MB/s | ratio "
      "| objects | CPU us/event (user+sys) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  int failures = 0;
  for (const char* enc : {"jsonl.gz", "jsonl.zst", "jsonl"}) {
    for (uint32_t threads : {1u, 2u}) {
      Run r =
          Deliver(**stream, enc, dir / (std::string("lake-") + enc + "-" + std::to_string(threads)),
                  threads, put_concurrency);
      if (r.records != filled.records) {
        std::fprintf(stderr, "delivery_bench: %s delivered %llu records, appended %llu\n", enc,
                     static_cast<unsigned long long>(r.records),
                     static_cast<unsigned long long>(filled.records));
        ++failures;
      }
      std::printf(
          "| %s | %u | %.2f | %.0f | %.1f | %.1f | %.1f | %.2f | %llu | %.2f (%.2f+%.2f) |\n", enc,
          threads, r.seconds, r.records / r.seconds, filled.payload_bytes / r.seconds / 1e6,
          r.object_bytes / 1e6, r.object_bytes / r.seconds / 1e6,
          static_cast<double>(filled.payload_bytes) / static_cast<double>(r.object_bytes),
          static_cast<unsigned long long>(r.objects),
          (r.user_seconds + r.sys_seconds) * 1e6 / static_cast<double>(r.records),
          r.user_seconds * 1e6 / static_cast<double>(r.records),
          r.sys_seconds * 1e6 / static_cast<double>(r.records));
      std::fflush(stdout);
    }
  }
  (*stream)->Close();
  fs::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
