// Append throughput of the embedded stream: T appender threads each keep up
// to D appends of B records in flight against a LocalStream of S shards.
// Prints records/s, payload MB/s, disk MB/s and append latency quantiles.
//
// Built by `cmake -DMAILPULSE_BENCH=ON` (make bench); run:
//   build/stream_append_bench DIR [seconds=5] [threads=8] [shards=4] [batch=25] [level=1]
//   [in_flight_per_thread=64]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "stream/local/local_stream.h"

using namespace mailpulse;

namespace {

// ~500-byte SendGrid-like event JSON, varied so compression is realistic.
std::string MakePayload(std::mt19937_64& rng, int i) {
  static const char* kEvents[] = {"processed", "delivered", "open", "click", "bounce", "deferred"};
  char buf[640];
  uint64_t id = rng();
  int n = std::snprintf(
      buf, sizeof(buf),
      R"({"email":"user%llu@example%llu.com","timestamp":%lld,"smtp-id":"<%016llx@ismtpd0001p1lon1.sendgrid.net>",)"
      R"("event":"%s","category":["newsletter","cat%d"],"sg_event_id":"%016llx%08x","sg_message_id":"%016llx.filter0001p1las1-%d-5F8E2F4B-1.0",)"
      R"("useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36","ip":"192.168.%d.%d",)"
      R"("url":"https://example.com/landing?utm_campaign=spring&id=%llu","asm_group_id":%d,"marketing_campaign_id":%d})",
      static_cast<unsigned long long>(id % 100000), static_cast<unsigned long long>(id % 97),
      static_cast<long long>(1700000000 + i), static_cast<unsigned long long>(id), kEvents[i % 6],
      i % 17, static_cast<unsigned long long>(rng()), i, static_cast<unsigned long long>(id),
      i % 9999, i % 255, (i * 7) % 255, static_cast<unsigned long long>(id % 1000), i % 10,
      12345 + i % 50);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [seconds] [threads] [shards] [batch] [level] [in_flight]\n",
                 argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
  int threads = argc > 3 ? std::atoi(argv[3]) : 8;
  uint32_t shards = argc > 4 ? static_cast<uint32_t>(std::atoi(argv[4])) : 4;
  int batch = argc > 5 ? std::atoi(argv[5]) : 25;
  int level = argc > 6 ? std::atoi(argv[6]) : 1;
  const int kInFlight = argc > 7 ? std::atoi(argv[7]) : 64;  // appends outstanding per thread

  std::filesystem::remove_all(dir);
  MetricsRegistry metrics;
  LocalStreamOptions o;
  o.dir = dir;
  o.shards = shards;
  o.compression_level = level;
  o.retention_seconds = 0;
  o.metrics = &metrics;
  auto opened = LocalStream::Open(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  LocalStream& stream = **opened;

  // Pre-built payloads and keys: the bench measures the stream, not JSON making.
  std::mt19937_64 rng(42);
  std::vector<std::string> payloads, keys;
  for (int i = 0; i < 4096; ++i) {
    payloads.push_back(MakePayload(rng, i));
    keys.push_back("msg" + std::to_string(rng()));
  }
  size_t payload_bytes_avg = 0;
  for (auto& p : payloads) payload_bytes_avg += p.size();
  payload_bytes_avg /= payloads.size();

  std::atomic<uint64_t> acked{0}, failed{0};
  std::atomic<bool> stop{false};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mutex mu;
      std::condition_variable cv;
      int in_flight = 0;
      uint64_t i = static_cast<uint64_t>(t) * 7919;
      while (!stop.load(std::memory_order_relaxed)) {
        {
          std::unique_lock<std::mutex> l(mu);
          cv.wait(l, [&] { return in_flight < kInFlight; });
          ++in_flight;
        }
        // One append = one partition key's shard, like one webhook request's share.
        const std::string& key = keys[i % keys.size()];
        std::vector<AppendRecord> recs;
        recs.reserve(static_cast<size_t>(batch));
        for (int k = 0; k < batch; ++k)
          recs.push_back(
              AppendRecord{key, payloads[(i + static_cast<uint64_t>(k)) % payloads.size()], 0});
        i += static_cast<uint64_t>(batch);
        stream.Append(stream.ShardFor(key), std::move(recs),
                      [&](const Status& s, SequenceNumber, SequenceNumber) {
                        (s.ok() ? acked : failed)
                            .fetch_add(static_cast<uint64_t>(batch), std::memory_order_relaxed);
                        std::lock_guard<std::mutex> l(mu);
                        --in_flight;
                        cv.notify_one();
                      });
      }
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return in_flight == 0; });
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop.store(true);
  for (auto& w : workers) w.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stream.Close();

  uint64_t disk = stream.disk_bytes();
  double rps = static_cast<double>(acked.load()) / secs;
  auto& lat =
      metrics.GetHistogram("mailpulse_stream_append_seconds", "", "stream=\"events\",shard=\"0\"");
  auto& fs =
      metrics.GetHistogram("mailpulse_stream_fsync_seconds", "", "stream=\"events\",shard=\"0\"");
  auto& gc = metrics.GetHistogram("mailpulse_stream_group_commit_appends", "",
                                  "stream=\"events\",shard=\"0\"",
                                  {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
  std::printf("shards=%u threads=%d batch=%d level=%d in_flight/thread=%d payload~%zuB\n", shards,
              threads, batch, level, kInFlight, payload_bytes_avg);
  std::printf(
      "acked %llu records in %.2fs (failed %llu): %.0f records/s, %.1f MB/s payload, %.1f MB/s to "
      "disk\n",
      static_cast<unsigned long long>(acked.load()), secs,
      static_cast<unsigned long long>(failed.load()), rps,
      rps * static_cast<double>(payload_bytes_avg) / 1e6, static_cast<double>(disk) / secs / 1e6);
  std::printf(
      "shard 0: fsyncs %llu, append p50<=%.4fs p99<=%.4fs, fsync p50<=%.4fs, appends/commit "
      "p50<=%.0f\n",
      static_cast<unsigned long long>(fs.count()), lat.ApproxQuantile(0.5),
      lat.ApproxQuantile(0.99), fs.ApproxQuantile(0.5), gc.ApproxQuantile(0.5));
  std::filesystem::remove_all(dir);
  return 0;
}
