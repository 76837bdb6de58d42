// Analytics benchmark (docs/benchmarks.md, "Analytics"):
//  1. aggregation throughput: decode + apply of realistic enriched records
//     (~550 bytes, SendGrid-like) on one thread, events/s;
//  2. memory per message: MessageTable bytes / messages after M messages;
//  3. KPI API latency with C campaigns and M messages: the state is generated
//     directly (KpiEvents applied without JSON, hourly buckets over 2 days),
//     then the JSON documents of the API are rendered R times each, p50/p99.
//
// Built by `cmake -DMAILPULSE_BENCH=ON` (make bench); run:
//  4. spilling beyond the memory budget (RocksDB): rate and cost per message.
//   build/kpi_bench [messages=10000000] [campaigns=10000] [records=1000000] [spill=2000000]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "analytics/kpi_event.h"
#include "analytics/kpi_json.h"
#include "analytics/kpi_store.h"

using namespace mailpulse;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kT0 = 1767225600000;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

long RssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

std::string RecordFor(std::mt19937_64& rng, int i, int campaigns) {
  static const char* kEvents[] = {"processed", "delivered", "open", "open", "click", "deferred", "bounce"};
  const char* ev = kEvents[rng() % 7];
  std::string msg = "m" + std::to_string(i / 4) + "AbCdEfGhIjKlMnOp";
  msg.resize(22, 'x');
  int c = static_cast<int>(rng() % campaigns);
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                R"({"_mailpulse":{"received_ms":%lld,"webhook":"default","message_id":"%s","event_ms":%lld},)"
                R"("email":"user%d@example.com","timestamp":%lld,"smtp-id":"\u003c%s@ismtpd0001p1mdw1.sendgrid.net\u003e",)"
                R"("event":"%s","category":["newsletter","campaign-%d"],"sg_event_id":"ZGVmZXJyZWQtNDc2MzktMTY2%08d",)"
                R"("sg_message_id":"%s.filter0001.16648.5515E0B88.0","useragent":"Mozilla/5.0","ip":"192.0.2.%d",)"
                R"("url":"https://example.com/l/%d","sg_machine_open":%s,"singlesend_id":"ss-%06d",)"
                R"("singlesend_name":"Campaign %d","mc_stats":"singlesend","user_id":"%d","tenant":"acme"})",
                static_cast<long long>(kT0 + i), msg.c_str(), static_cast<long long>(kT0 + i * 10LL), i,
                static_cast<long long>((kT0 + i * 10LL) / 1000), msg.c_str(), ev, c, i, msg.c_str(), i % 250,
                i % 5, i % 3 ? "false" : "true", c, c, i);
  return buf;
}

void Throughput(int records, int campaigns) {
  std::mt19937_64 rng(1);
  std::vector<std::string> recs;
  size_t bytes = 0;
  for (int i = 0; i < records; ++i) {
    recs.push_back(RecordFor(rng, i, campaigns));
    bytes += recs.back().size();
  }
  KpiStore store;
  KpiEventDecoder decoder;
  KpiEvent e;
  auto t0 = Clock::now();
  for (const std::string& r : recs) {
    if (decoder.Decode(r, &e).ok()) store.Apply(e);
  }
  auto t1 = Clock::now();
  for (const std::string& r : recs) (void)decoder.Decode(r, &e);
  auto t2 = Clock::now();
  std::printf("throughput: %d records (%.0f bytes avg), decode+apply %.0f events/s (decode alone %.0f/s), %zu campaigns\n",
              records, static_cast<double>(bytes) / records, records / Seconds(t0, t1), records / Seconds(t1, t2),
              store.campaigns().size());
}

void Percentiles(const char* what, std::vector<double>& us, size_t bytes) {
  std::sort(us.begin(), us.end());
  std::printf("  %-44s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  (%zu bytes)\n", what, us[us.size() / 2] / 1000,
              us[us.size() * 99 / 100] / 1000, us.back() / 1000, bytes);
}

void Api(int messages, int campaigns) {
  long rss0 = RssMiB();
  KpiStore store(KpiStoreOptions{0, 0});
  std::mt19937_64 rng(2);
  std::vector<std::string> names;
  for (int c = 0; c < campaigns; ++c) names.push_back("ss-" + std::to_string(c));
  std::string msg;
  auto t0 = Clock::now();
  // Each message: processed + delivered, 35% open, 10% click; event times over 48 h.
  for (int m = 0; m < messages; ++m) {
    msg = "m" + std::to_string(m) + "AbCdEfGhIjKlMnOpQr";
    msg.resize(22, 'x');
    KpiEvent e;
    e.message_id = msg;
    e.campaign_id = names[m % campaigns];
    e.campaign_name = "Campaign";
    e.event_ms = kT0 + static_cast<int64_t>(rng() % (48ULL * 3600 * 1000));
    e.kind = KpiEventKind::kProcessed;
    store.Apply(e);
    e.kind = KpiEventKind::kDelivered;
    store.Apply(e);
    uint64_t r = rng() % 100;
    if (r < 35) {
      e.kind = KpiEventKind::kOpen;
      e.machine_open = r < 14;
      store.Apply(e);
    }
    if (r < 10) {
      e.kind = KpiEventKind::kClick;
      e.url = "https://example.com/l/" + std::to_string(r % 4);
      store.Apply(e);
    }
  }
  auto t1 = Clock::now();
  const MessageTable& t = store.messages();
  std::printf("state: %d messages, %d campaigns generated in %.1f s; message table %.1f MiB = %.1f bytes/message "
              "(slot %zu B + 22 B id); process max RSS grew %ld MiB\n",
              messages, campaigns, Seconds(t0, t1), t.memory_bytes() / 1048576.0,
              static_cast<double>(t.memory_bytes()) / t.size(), MessageTable::kSlotBytes, RssMiB() - rss0);

  const int reps = 2000;
  std::vector<double> us;
  size_t bytes = 0;
  auto time = [&](auto&& fn) {
    auto a = Clock::now();
    std::string s = fn();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
    bytes = s.size();
  };
  std::printf("API documents (rendering under the store lock, the work of a request):\n");
  for (int i = 0; i < reps; ++i) {
    time([&] { return CampaignDetailJson(*store.Find(names[rng() % campaigns]), Granularity::kHour, KpiRange{}); });
  }
  Percentiles("GET /v1/campaigns/{id} (hourly series)", us, bytes);
  us.clear();
  for (int i = 0; i < reps; ++i) {
    time([&] { return CampaignDetailJson(*store.Find(names[rng() % campaigns]), Granularity::kMinute, KpiRange{}); });
  }
  Percentiles("GET /v1/campaigns/{id}?granularity=minute", us, bytes);
  us.clear();
  for (int i = 0; i < reps; ++i) {
    time([&] { return CampaignLinksJson(*store.Find(names[rng() % campaigns]), 20); });
  }
  Percentiles("GET /v1/campaigns/{id}/links", us, bytes);
  us.clear();
  CampaignPage all;
  all.limit = 0;
  for (int i = 0; i < 50; ++i) time([&] { return CampaignListJson(store, KpiRange{}, all); });
  Percentiles("every campaign in one document (report)", us, bytes);
  us.clear();
  // Paged: a random page of the default size, from a random cursor.
  auto page_at = [&](size_t limit) {
    CampaignPage p;
    p.limit = limit;
    p.after = names[rng() % campaigns];
    return p;
  };
  for (int i = 0; i < reps; ++i) time([&] { return CampaignListJson(store, KpiRange{}, page_at(100)); });
  Percentiles("GET /v1/campaigns (limit=100, after=..)", us, bytes);
  us.clear();
  for (int i = 0; i < 200; ++i) time([&] { return CampaignListJson(store, KpiRange{}, page_at(1000)); });
  Percentiles("GET /v1/campaigns?limit=1000&after=..", us, bytes);
  us.clear();
  const KpiRange hour{kT0 + 3600000, kT0 + 7200000};
  for (int i = 0; i < reps; ++i) time([&] { return CampaignListJson(store, hour, page_at(100)); });
  Percentiles("GET /v1/campaigns?since=..&until=.. (1 h, limit=100)", us, bytes);
  us.clear();
  for (int i = 0; i < 200; ++i) time([&] { return CampaignListJson(store, hour, page_at(1000)); });
  Percentiles("GET /v1/campaigns?since=..&until=..&limit=1000", us, bytes);
}

// 4. spilling: M messages through a store whose budget holds ~1/8 of them,
// with a spill store in a temporary directory: apply rate, then re-touching
// the oldest tenth (read back from disk), and the measured cost per message.
void Spill(int messages) {
  std::string dir = (std::filesystem::temp_directory_path() / "mp-kpi-bench-spill-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return;
  KpiStoreOptions o{0, 0};
  o.message_memory_bytes = static_cast<size_t>(messages) / 8 * 100;
  KpiStore store(o);
  if (!store.AttachSpill(dir).ok()) return;
  std::mt19937_64 rng(3);
  std::string msg;
  KpiEvent e;
  e.campaign_id = "ss-1";
  uint64_t events = 0;
  auto apply = [&](int m, int64_t t, KpiEventKind k) {
    ++events;
    msg = "m" + std::to_string(m) + "AbCdEfGhIjKlMnOpQr";
    msg.resize(22, 'x');
    e.message_id = msg;
    e.event_ms = t;
    e.kind = k;
    store.Apply(e);
  };
  auto t0 = Clock::now();
  for (int m = 0; m < messages; ++m) {
    int64_t t = kT0 + static_cast<int64_t>(m) * 10;  // later messages are hotter
    apply(m, t, KpiEventKind::kProcessed);
    apply(m, t + 1000, KpiEventKind::kDelivered);
    if (rng() % 100 < 35) apply(m, t + 60'000, KpiEventKind::kOpen);
  }
  auto t1 = Clock::now();
  uint64_t first_pass = events;
  const MessageTable& t = store.messages();
  uint64_t lookups0 = t.disk_lookups();
  int old = messages / 10;
  for (int m = 0; m < old; ++m) {
    apply(m, kT0 + static_cast<int64_t>(messages) * 10 + m, KpiEventKind::kOpen);
  }
  auto t2 = Clock::now();
  (void)store.CheckpointSpill();  // flushes: the disk figure below is of SST files
  std::printf("spill: %d messages, budget %.1f MiB: %.0f events/s (%.2f disk lookups per new message); "
              "%llu in RAM, %llu on disk\n",
              messages, o.message_memory_bytes / 1048576.0,
              static_cast<double>(first_pass) / Seconds(t0, t1), static_cast<double>(lookups0) / messages,
              static_cast<unsigned long long>(t.size()), static_cast<unsigned long long>(t.spilled()));
  std::printf("  re-touching the oldest %d messages (on disk): %.0f events/s, %llu disk hits\n", old,
              old / Seconds(t1, t2), static_cast<unsigned long long>(t.disk_hits()));
  std::printf("  cost per spilled message: disk %.1f bytes, RAM (bloom filter) %.2f bytes; status %s\n",
              static_cast<double>(store.spill_disk_bytes()) / static_cast<double>(t.spilled()),
              static_cast<double>(t.filter_memory_bytes()) / static_cast<double>(t.spilled()),
              store.status().ToString().c_str());
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  int messages = argc > 1 ? std::atoi(argv[1]) : 10'000'000;
  int campaigns = argc > 2 ? std::atoi(argv[2]) : 10'000;
  int records = argc > 3 ? std::atoi(argv[3]) : 1'000'000;
  int spill = argc > 4 ? std::atoi(argv[4]) : 2'000'000;
  Throughput(records, campaigns);
  Api(messages, campaigns);
  if (spill > 0) Spill(spill);
  return 0;
}
