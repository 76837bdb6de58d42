// `mailpulse report` and `mailpulse rebuild`: the KPIs in the terminal.
//
// report: loads DATA_DIR/analytics/kpi.snapshot, opens the embedded stream
// read-only and applies what the snapshot does not cover yet, in memory
// (nothing is written, so it is safe next to a running `serve`), then prints
// the campaigns as a table, CSV or the API's JSON.
// rebuild: recomputes every KPI from the stream's retention (the trim
// horizon): deletes the snapshot, replays every shard, writes a new snapshot
// and the "analytics" checkpoints. With --from-lake, every event of the lake
// first, then each shard's records after the lake's last one (ReplayLake). Run it with the server
// stopped (it opens the stream for writing, which a running server holds locked).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "analytics/analytics_service.h"
#include "analytics/kpi_json.h"
#include "app/analytics_setup.h"
#include "app/commands.h"
#include "storage/object_store_registry.h"
#include "stream/stream_registry.h"

namespace mailpulse {
namespace {

struct ReportFlags {
  std::string campaign;
  std::string since, until;
  std::string format = "table";
};

int Fail(const char* cmd, const Status& s) {
  std::fprintf(stderr, "mailpulse %s: %s\n", cmd, s.ToString().c_str());
  return s.kind() == ErrorKind::kInvalid ? 2 : 1;
}

Result<std::unique_ptr<Stream>> OpenEventStream(const Config& cfg, bool read_only) {
  StreamOpenOptions o = StreamOptionsFromConfig(cfg, "events");
  o.read_only = read_only;
  o.local.retention_seconds = 0;  // never delete anything from a tool
  return OpenStream(cfg.GetString("stream"), o);
}

std::string Percent(double r) { return fmt::format("{:.2f}%", r * 100); }

void PrintTable(const std::vector<std::pair<const CampaignState*, KpiCounters>>& rows) {
  std::fputs(
      fmt::format(
          "{:<24} {:<28} {:>10} {:>10} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8} {:>8} {:>9} {:>8}\n",
          "campaign", "name", "processed", "delivered", "bounces", "blocks", "dropped", "uniq_open",
          "uniq_click", "unsubs", "spam", "open_rate", "ctr")
          .c_str(),
      stdout);
  for (const auto& [c, k] : rows) {
    KpiRates r = ComputeRates(k);
    std::fputs(
        fmt::format(
            "{:<24} {:<28} {:>10} {:>10} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8} {:>8} {:>9} {:>8}\n",
            c->id.substr(0, 24), c->name.substr(0, 28), k[Kpi::kProcessed], k[Kpi::kDelivered],
            k[Kpi::kBounces], k[Kpi::kBlocks], k[Kpi::kDropped], k[Kpi::kUniqueOpens],
            k[Kpi::kUniqueClicks], k[Kpi::kUnsubscribes], k[Kpi::kSpamReports],
            Percent(r.open_rate), Percent(r.click_rate))
            .c_str(),
        stdout);
  }
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void PrintCsv(const std::vector<std::pair<const CampaignState*, KpiCounters>>& rows) {
  std::string out = "id,name";
  for (size_t i = 0; i < kKpiCount; ++i) out += "," + std::string(KpiName(static_cast<Kpi>(i)));
  out +=
      ",delivery_rate,open_rate,human_open_rate,click_rate,human_click_rate,click_to_open_rate,"
      "bounce_rate,unsubscribe_rate,spam_rate\n";
  for (const auto& [c, k] : rows) {
    out += CsvField(c->id) + "," + CsvField(c->name);
    for (int64_t v : k.v) out += fmt::format(",{}", v);
    KpiRates r = ComputeRates(k);
    out += fmt::format(",{},{},{},{},{},{},{},{},{}\n", r.delivery_rate, r.open_rate,
                       r.human_open_rate, r.click_rate, r.human_click_rate, r.click_to_open_rate,
                       r.bounce_rate, r.unsubscribe_rate, r.spam_rate);
  }
  std::fputs(out.c_str(), stdout);
}

int RunReport(const ReportFlags& f) {
  const Config& cfg = ActiveConfig();
  if (f.format != "table" && f.format != "csv" && f.format != "json") {
    return Fail("report", Status::Invalid("--format must be table, csv or json"));
  }
  KpiRange range;
  for (auto [text, out] : {std::pair{&f.since, &range.since}, std::pair{&f.until, &range.until}}) {
    if (text->empty()) continue;
    auto t = ParseTimeParam(*text);
    if (!t.ok()) return Fail("report", t.status());
    *out = *t;
  }
  auto stream = OpenEventStream(cfg, /*read_only=*/true);
  if (!stream.ok()) return Fail("report", stream.status());
  auto opts = AnalyticsOptionsFromConfig(cfg, nullptr);
  if (!opts.ok()) return Fail("report", opts.status());
  opts->save_checkpoints = false;
  // A scratch copy of the server's spill checkpoint (hard links), removed on exit.
  opts->spill_live_dir = opts->spill_dir + "/report-" + std::to_string(::getpid());
  auto service = AnalyticsService::Open(stream->get(), std::move(*opts));
  if (!service.ok()) return Fail("report", service.status());
  Status st = (*service)->CatchUp();
  if (!st.ok()) return Fail("report", st);

  int rc = 0;
  (*service)->Read([&](const KpiStore& store) {
    std::vector<std::pair<const CampaignState*, KpiCounters>> rows;
    for (const auto& [id, c] : store.campaigns()) {
      if (!f.campaign.empty() && id != f.campaign) continue;
      rows.emplace_back(c.get(), KpiStore::Sum(*c, range.since, range.until));
    }
    if (!f.campaign.empty() && rows.empty()) {
      std::fprintf(stderr, "mailpulse report: no campaign %s\n", f.campaign.c_str());
      rc = 1;
      return;
    }
    if (f.format == "json") {
      std::string out = "{\"campaigns\":[";
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i) out += ',';
        AppendCampaignJson(out, *rows[i].first, range);
      }
      out += "]}\n";
      std::fputs(out.c_str(), stdout);
    } else if (f.format == "csv") {
      PrintCsv(rows);
    } else {
      PrintTable(rows);
    }
  });
  return rc;
}

int RunRebuild(bool from_lake) {
  const Config& cfg = ActiveConfig();
  auto stream = OpenEventStream(cfg, /*read_only=*/false);
  if (!stream.ok()) return Fail("rebuild", stream.status());
  auto opts = AnalyticsOptionsFromConfig(cfg, nullptr);
  if (!opts.ok()) return Fail("rebuild", opts.status());
  std::string path = opts->snapshot_path;
  Status rm = FileSystem::Default()->Remove(path);
  if (!rm.ok() && rm.kind() != ErrorKind::kNotFound) return Fail("rebuild", rm);
  auto service = AnalyticsService::Open(stream->get(), std::move(*opts));
  if (!service.ok()) return Fail("rebuild", service.status());
  if (from_lake) {
    auto lake = OpenObjectStore(cfg.GetString("lake"), cfg.GetString("data_dir") + "/lake");
    if (!lake.ok()) return Fail("rebuild", lake.status());
    auto replayed = (*service)->ApplyLake(**lake);
    if (!replayed.ok()) return Fail("rebuild", replayed.status());
    std::printf("read %s: %llu objects, %llu events, %llu lines skipped, %llu duplicate objects\n",
                (*lake)->Describe().c_str(), static_cast<unsigned long long>(replayed->objects),
                static_cast<unsigned long long>(replayed->lines),
                static_cast<unsigned long long>(replayed->skipped),
                static_cast<unsigned long long>(replayed->duplicate_objects));
  }
  // From the lake: the stream's records after the lake's last ones; else all.
  Status st = (*service)->CatchUp();
  if (st.ok()) st = (*service)->Snapshot();
  if (!st.ok()) return Fail("rebuild", st);
  (*service)->Read([&](const KpiStore& s) {
    std::printf("rebuilt %s: %lld events, %zu campaigns, %zu messages, %llu records skipped\n",
                path.c_str(), static_cast<long long>(s.events_applied()), s.campaigns().size(),
                s.messages().size(), static_cast<unsigned long long>((*service)->skipped()));
  });
  service->reset();
  (*stream)->Close();
  return 0;
}

}  // namespace

Command AddReportCommand(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd =
      app.add_subcommand("report", "Print campaign KPIs from the data dir (snapshot + stream)");
  cmd->add_option("--campaign", flags->campaign, "Only this campaign id");
  cmd->add_option("--since", flags->since, "Events at or after (epoch seconds or ISO-8601)");
  cmd->add_option("--until", flags->until, "Events before (epoch seconds or ISO-8601)");
  cmd->add_option("--format", flags->format, "table | csv | json");
  AddConfigFlags(cmd);
  return {cmd, [flags] { return RunReport(*flags); }};
}

Command AddRebuildCommand(CLI::App& app) {
  auto from_lake = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "rebuild", "Recompute all KPIs from the stream's retention (server stopped)");
  cmd->add_flag("--from-lake", *from_lake,
                "Read every event from the lake (--lake) first, then the stream's records the "
                "lake does not hold yet: for when retention no longer keeps everything");
  AddConfigFlags(cmd);
  return {cmd, [from_lake] { return RunRebuild(*from_lake); }};
}

}  // namespace mailpulse
