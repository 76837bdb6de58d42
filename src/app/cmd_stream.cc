// `mailpulse stream describe | read`: look inside the embedded stream
// (docs/formats/stream-log.md) without a running server. Opens the log
// read-only: no writer threads, no recovery truncation, so it is safe next
// to a running `mailpulse serve` (it sees what was durable when it opened,
// plus whatever the reader finds appended later).
#include <simdjson.h>

#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "stream/local/local_stream.h"

namespace mailpulse {
namespace {

struct StreamFlags {
  bool json = false;
  uint32_t shard = 0;
  std::string from = "trim_horizon";
  int64_t limit = 0;  // 0 = until caught up
};

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));  // UTF-8 passes through
        }
    }
  }
  out.push_back('"');
}

Result<StartPosition> ParseFrom(const std::string& from) {
  auto number = [&](size_t prefix) -> Result<int64_t> {
    std::string digits = from.substr(prefix);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Invalid("bad position '" + from + "'");
    }
    return static_cast<int64_t>(std::stoull(digits));
  };
  if (from == "trim_horizon") return StartPosition::TrimHorizon();
  if (from == "latest") return StartPosition::Latest();
  if (from.rfind("at:", 0) == 0) {
    MP_ASSIGN_OR_RETURN(int64_t n, number(3));
    return StartPosition::At(SequenceNumber(static_cast<uint64_t>(n)));
  }
  if (from.rfind("after:", 0) == 0) {
    MP_ASSIGN_OR_RETURN(int64_t n, number(6));
    return StartPosition::After(SequenceNumber(static_cast<uint64_t>(n)));
  }
  if (from.rfind("at_timestamp:", 0) == 0) {
    MP_ASSIGN_OR_RETURN(int64_t n, number(13));
    return StartPosition::AtTimestamp(n);
  }
  return Status::Invalid(
      "--from must be trim_horizon, latest, at:SEQ, after:SEQ or at_timestamp:MS");
}

Result<std::unique_ptr<LocalStream>> OpenFromConfig() {
  const Config& cfg = ActiveConfig();
  if (!cfg.GetString("stream").empty()) {
    return Status::Invalid("`mailpulse stream` inspects the embedded log; stream is set to " +
                           cfg.GetString("stream"));
  }
  LocalStreamOptions o;
  o.dir = cfg.GetString("data_dir") + "/stream";
  o.shards = static_cast<uint32_t>(cfg.GetInt("shards"));
  o.read_only = true;
  Result<std::unique_ptr<LocalStream>> s = LocalStream::Open(o);
  if (!s.ok()) return s.status();
  return std::move(*s);
}

int Fail(const Status& s) {
  std::fprintf(stderr, "mailpulse stream: %s\n", s.ToString().c_str());
  return s.kind() == ErrorKind::kInvalid ? 2 : 1;
}

int RunDescribe(const StreamFlags& f) {
  Result<std::unique_ptr<LocalStream>> s = OpenFromConfig();
  if (!s.ok()) return Fail(s.status());
  std::vector<ShardInfo> shards = (*s)->Describe();
  std::string out;
  if (f.json) {
    out = "{\"shards\":[";
    for (size_t i = 0; i < shards.size(); ++i) {
      const ShardInfo& x = shards[i];
      if (i) out += ",";
      out += "{\"shard\":" + std::to_string(x.id.value()) + ",\"starting_hash_key\":\"" +
             x.starting_hash_key + "\",\"ending_hash_key\":\"" + x.ending_hash_key +
             "\",\"first_seq\":" + std::to_string(x.first_seq.value()) +
             ",\"last_seq\":" + std::to_string(x.last_seq.value()) +
             ",\"records\":" + std::to_string(x.records) + ",\"bytes\":" + std::to_string(x.bytes) +
             ",\"segments\":" + std::to_string(x.segments) + "}";
    }
    out += "]}\n";
  } else {
    char line[256];
    std::snprintf(line, sizeof(line), "%-6s %12s %12s %12s %14s %9s  %s\n", "shard", "first_seq",
                  "last_seq", "records", "bytes", "segments", "hash key range");
    out += line;
    for (const ShardInfo& x : shards) {
      std::snprintf(line, sizeof(line), "%-6u %12llu %12llu %12llu %14llu %9u  ", x.id.value(),
                    static_cast<unsigned long long>(x.first_seq.value()),
                    static_cast<unsigned long long>(x.last_seq.value()),
                    static_cast<unsigned long long>(x.records),
                    static_cast<unsigned long long>(x.bytes), x.segments);
      out += line + x.starting_hash_key + ".." + x.ending_hash_key + "\n";
    }
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

int RunRead(const StreamFlags& f) {
  Result<StartPosition> from = ParseFrom(f.from);
  if (!from.ok()) return Fail(from.status());
  Result<std::unique_ptr<LocalStream>> s = OpenFromConfig();
  if (!s.ok()) return Fail(s.status());
  if (f.shard >= (*s)->shard_count()) {
    return Fail(Status::Invalid("--shard must be below " + std::to_string((*s)->shard_count())));
  }
  Result<std::unique_ptr<StreamReader>> reader = (*s)->OpenReader(ShardId(f.shard), *from);
  if (!reader.ok()) return Fail(reader.status());
  simdjson::dom::parser parser;
  int64_t printed = 0;
  std::string line;
  for (;;) {
    size_t want = 1000;
    if (f.limit > 0) want = static_cast<size_t>(std::min<int64_t>(1000, f.limit - printed));
    if (want == 0) break;
    Result<std::vector<StreamRecord>> batch = (*reader)->Read(want, 8u << 20);
    if (!batch.ok()) return Fail(batch.status());
    if (batch->empty()) break;
    for (const StreamRecord& r : *batch) {
      line = "{\"shard\":" + std::to_string(f.shard) + ",\"seq\":" + std::to_string(r.seq.value()) +
             ",\"arrival_ms\":" + std::to_string(r.arrival_ms) + ",\"partition_key\":";
      AppendJsonString(line, r.partition_key);
      line += ",\"payload\":";
      simdjson::padded_string padded(r.payload);
      simdjson::dom::element doc;
      bool is_json = parser.parse(padded).get(doc) == simdjson::SUCCESS;
      if (is_json && r.payload.find_first_of("\r\n") == std::string::npos) {
        line += r.payload;  // verbatim
      } else if (is_json) {
        line += simdjson::minify(doc);  // keep one record per line
      } else {
        AppendJsonString(line, r.payload);
      }
      line += "}\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
      ++printed;
    }
  }
  return 0;
}

}  // namespace

Command AddStreamCommand(CLI::App& app) {
  auto flags = std::make_shared<StreamFlags>();
  CLI::App* cmd = app.add_subcommand("stream", "Inspect the embedded stream (read-only)");
  cmd->require_subcommand(1);
  CLI::App* describe =
      cmd->add_subcommand("describe", "Per shard: sequence range, records, bytes, segments");
  describe->add_flag("--json", flags->json, "Print JSON instead of a table");
  AddConfigFlags(describe);
  CLI::App* read =
      cmd->add_subcommand("read", "Print records of one shard, one JSON object per line");
  read->add_option("--shard", flags->shard, "Shard index")->required();
  read->add_option("--from", flags->from,
                   "trim_horizon | latest | at:SEQ | after:SEQ | at_timestamp:MS");
  read->add_option("--limit", flags->limit, "Stop after this many records (0 = until caught up)");
  AddConfigFlags(read);
  return {cmd, [flags, describe, read]() {
            if (describe->parsed()) return RunDescribe(*flags);
            if (read->parsed()) return RunRead(*flags);
            return 2;
          }};
}

}  // namespace mailpulse
