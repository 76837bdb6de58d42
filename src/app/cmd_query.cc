// `mailpulse query`: one S3 Select SQL query over the lake (docs/query.md).
//
//   mailpulse query [--lake URL] [--prefix P] [--since T] [--until T]
//                   [--output json|csv|table] ('SELECT ...' | --file PATH)
//
// Reads every object under the prefix (default: the fixed start of
// lake_prefix, e.g. "events/"), skipping those whose partition folders
// contradict the WHERE clause or the --since/--until window, and prints the
// result on stdout (JSON Lines by default). Errors go to stderr: exit 2 for a
// bad query or flags, 1 when the lake cannot be read or a limit stops the
// query. Read-only: safe next to a running server.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>

#include "analytics/kpi_json.h"
#include "app/commands.h"
#include "common/clock.h"
#include "query/lake_query.h"
#include "query/output.h"
#include "query/parser.h"
#include "storage/object_store_registry.h"

namespace mailpulse {
namespace {

struct QueryFlags {
  std::string sql;
  std::string sql_file;
  std::string prefix;
  bool prefix_set = false;
  std::string since, until;
  std::string output = "json";
  std::string csv_header = "use";
  bool stats = false;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "mailpulse query: %s\n", s.message().c_str());
  return s.kind() == ErrorKind::kInvalid ? 2 : 1;
}

Result<query::CsvHeader> ParseCsvHeader(const std::string& s) {
  if (s == "use") return query::CsvHeader::kUse;
  if (s == "ignore") return query::CsvHeader::kIgnore;
  if (s == "none") return query::CsvHeader::kNone;
  return Status::Invalid("--csv-header must be use, ignore or none");
}

// The query text: the positional argument, or --file PATH ("-": stdin),
// which spares shell quoting of "quoted identifiers".
Result<std::string> QueryText(const QueryFlags& f) {
  if (f.sql.empty() == f.sql_file.empty()) {
    return Status::Invalid("give the query either as the argument or with --file (exactly one)");
  }
  if (f.sql_file.empty()) return f.sql;
  std::ifstream in;
  std::istream* src = &std::cin;
  if (f.sql_file != "-") {
    in.open(f.sql_file, std::ios::binary);
    if (!in) return Status::Invalid("cannot read query file " + f.sql_file);
    src = &in;
  }
  std::stringstream ss;
  ss << src->rdbuf();
  return ss.str();
}

int RunQuery(const QueryFlags& f) {
  const Config& cfg = ActiveConfig();
  Result<std::string> sql = QueryText(f);
  if (!sql.ok()) return Fail(sql.status());
  query::LakeQuerySpec spec;
  spec.sql = std::move(*sql);
  Result<query::OutputFormat> format = query::ParseOutputFormat(f.output);
  if (!format.ok()) return Fail(format.status());
  spec.output = *format;
  Result<query::CsvHeader> header = ParseCsvHeader(f.csv_header);
  if (!header.ok()) return Fail(header.status());
  spec.csv_header = *header;
  for (auto [text, out] : {std::pair{&f.since, &spec.since}, std::pair{&f.until, &spec.until}}) {
    if (text->empty()) continue;
    Result<UnixMillis> t = ParseTimeParam(*text);
    if (!t.ok()) return Fail(t.status());
    *out = *t;
  }
  if (f.prefix_set) spec.prefix = f.prefix;

  query::LakeQueryConfig qc;
  qc.limits.timeout = std::chrono::seconds(cfg.GetInt("query_timeout"));
  qc.limits.max_buffered_rows = cfg.GetInt("query_max_rows");
  qc.limits.max_groups = cfg.GetInt("query_max_groups");
  qc.threads = static_cast<int>(cfg.GetInt("query_threads"));
  qc.default_prefix = query::StaticPrefix(cfg.GetString("lake_prefix"));
  Result<std::unique_ptr<query::LakeQuery>> q =
      query::LakeQuery::Prepare(spec, qc, Clock::System().NowMillis());
  if (!q.ok()) return Fail(q.status());

  // Opening a local lake creates its directory; a query must not.
  std::string url = cfg.GetString("lake");
  std::string local = url.empty()                    ? cfg.GetString("data_dir") + "/lake"
                      : url.rfind("file://", 0) == 0 ? url.substr(7)
                                                     : url;
  if (url.find("://") == std::string::npos || url.rfind("file://", 0) == 0) {
    if (!std::filesystem::is_directory(local)) {
      return Fail(Status::NotFound("no lake at " + local + " (set --lake or --data-dir)"));
    }
  }
  Result<std::unique_ptr<ObjectStore>> lake =
      OpenObjectStore(url, cfg.GetString("data_dir") + "/lake");
  if (!lake.ok()) return Fail(lake.status());
  spdlog::debug("query: {} prefix '{}' pruning: {}", (*lake)->Describe(), (*q)->prefix(),
                (*q)->pruner().Describe());

  // A progress line on stderr for long scans, only when a person watches it.
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  bool shown = false;
  std::function<void(const query::ScanStats&)> progress;
  if (tty) {
    progress = [&](const query::ScanStats& s) {
      auto now = std::chrono::steady_clock::now();
      if (now - start < std::chrono::seconds(1) || now - last < std::chrono::milliseconds(200)) {
        return;
      }
      last = now;
      shown = true;
      std::fprintf(stderr, "\r\033[Kscanning: %lld objects read, %lld pruned, %.1f MB, %.1f s",
                   static_cast<long long>(s.objects_scanned),
                   static_cast<long long>(s.objects_pruned),
                   static_cast<double>(s.bytes_scanned) / 1e6,
                   std::chrono::duration<double>(now - start).count());
    };
  }
  Result<query::ScanStats> stats = (*q)->Run(
      **lake, [](std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }, nullptr,
      progress);
  if (shown) std::fprintf(stderr, "\r\033[K");
  std::fflush(stdout);
  if (!stats.ok()) return Fail(stats.status());
  if (f.stats) {
    std::fprintf(stderr,
                 "objects: %lld listed, %lld pruned, %lld skipped, %lld scanned; bytes: %lld "
                 "scanned, %lld processed; records: %lld in, %lld out\n",
                 static_cast<long long>(stats->objects_listed),
                 static_cast<long long>(stats->objects_pruned),
                 static_cast<long long>(stats->objects_skipped),
                 static_cast<long long>(stats->objects_scanned),
                 static_cast<long long>(stats->bytes_scanned),
                 static_cast<long long>(stats->bytes_processed),
                 static_cast<long long>((*q)->documents()),
                 static_cast<long long>((*q)->records()));
  }
  return 0;
}

}  // namespace

Command AddQueryCommand(CLI::App& app) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "query", "Run an S3 Select SQL query over the lake's objects (docs/query.md)");
  cmd->add_option("sql", flags->sql, "The query, e.g. \"SELECT COUNT(*) FROM S3Object\"");
  cmd->add_option("-f,--file", flags->sql_file, "Read the query from this file (- for stdin)");
  cmd->add_option_function<std::string>(
      "--prefix",
      [flags](const std::string& p) {
        flags->prefix = p;
        flags->prefix_set = true;
      },
      "Key prefix to read (default: the fixed start of lake_prefix, e.g. events/)");
  cmd->add_option(
      "--since", flags->since,
      "Only objects whose dt=/hour= folder ends after this (epoch seconds or ISO-8601)");
  cmd->add_option("--until", flags->until,
                  "Only objects whose dt=/hour= folder starts before this");
  cmd->add_option("--output", flags->output, "json (JSON Lines), csv or table")
      ->capture_default_str();
  cmd->add_option("--csv-header", flags->csv_header,
                  "First line of .csv objects: use (column names), ignore or none")
      ->capture_default_str();
  cmd->add_flag("--stats", flags->stats, "Print objects and bytes scanned to stderr");
  AddConfigFlags(cmd);
  return {cmd, [flags] { return RunQuery(*flags); }};
}

}  // namespace mailpulse
