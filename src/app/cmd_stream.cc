// `mailpulse stream describe | read`: look inside the stream without a
// running server. The embedded log (docs/formats/stream-log.md) is opened
// read-only: no writer threads, no recovery truncation, so it is safe next
// to a running `mailpulse serve` (it sees what was durable when it opened,
// plus whatever the reader finds appended later). A remote stream (Kinesis,
// Kafka) is read through the same interface.
#include <simdjson.h>

#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "stream/stream_registry.h"

namespace mailpulse {
namespace {

struct StreamFlags {
  bool json = false;
  uint32_t shard = 0;
  bool errors = false;  // the error-output stream
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
  auto seq = [&](size_t prefix) -> Result<SequenceNumber> {
    std::optional<SequenceNumber> s = SequenceNumber::FromDecimal(from.substr(prefix));
    if (!s) return Status::Invalid("bad sequence number in '" + from + "'");
    return *s;
  };
  if (from == "trim_horizon") return StartPosition::TrimHorizon();
  if (from == "latest") return StartPosition::Latest();
  if (from.rfind("at:", 0) == 0) {
    MP_ASSIGN_OR_RETURN(SequenceNumber n, seq(3));
    return StartPosition::At(n);
  }
  if (from.rfind("after:", 0) == 0) {
    MP_ASSIGN_OR_RETURN(SequenceNumber n, seq(6));
    return StartPosition::After(n);
  }
  if (from.rfind("at_timestamp:", 0) == 0) {
    std::string digits = from.substr(13);
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Invalid("bad timestamp in '" + from + "'");
    }
    return StartPosition::AtTimestamp(static_cast<UnixMillis>(std::stoll(digits)));
  }
  return Status::Invalid(
      "--from must be trim_horizon, latest, at:SEQ, after:SEQ or at_timestamp:MS");
}

Result<std::unique_ptr<Stream>> OpenFromConfig(bool errors) {
  const Config& cfg = ActiveConfig();
  StreamOpenOptions o = StreamOptionsFromConfig(cfg, errors ? "errors" : "events");
  o.read_only = true;
  return OpenStream(cfg.GetString("stream"), o);
}

int Fail(const Status& s) {
  std::fprintf(stderr, "mailpulse stream: %s\n", s.ToString().c_str());
  return s.kind() == ErrorKind::kInvalid ? 2 : 1;
}

int RunDescribe(const StreamFlags& f) {
  Result<std::unique_ptr<Stream>> s = OpenFromConfig(f.errors);
  if (!s.ok()) return Fail(s.status());
  std::vector<ShardInfo> shards = (*s)->Describe();
  std::string out;
  if (f.json) {
    out = "{\"shards\":[";
    for (size_t i = 0; i < shards.size(); ++i) {
      const ShardInfo& x = shards[i];
      if (i) out += ",";
      out += "{\"shard\":" + std::to_string(x.id.value()) + ",\"name\":\"" + x.name +
             "\",\"closed\":" + (x.closed ? "true" : "false") + ",\"parents\":[";
      for (size_t k = 0; k < x.parents.size(); ++k)
        out += (k ? "," : "") + std::to_string(x.parents[k].value());
      out += "],\"starting_hash_key\":\"" + x.starting_hash_key + "\",\"ending_hash_key\":\"" +
             x.ending_hash_key + "\",\"first_seq\":\"" + x.first_seq.ToString() +
             "\",\"last_seq\":\"" + x.last_seq.ToString() + "\"" +
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
      std::snprintf(line, sizeof(line), "%-6u %12s %12s %12llu %14llu %9u  ", x.id.value(),
                    x.first_seq.ToString().c_str(), x.last_seq.ToString().c_str(),
                    static_cast<unsigned long long>(x.records),
                    static_cast<unsigned long long>(x.bytes), x.segments);
      out += line + x.starting_hash_key + ".." + x.ending_hash_key;
      if (x.closed) out += "  closed";
      out += "\n";
    }
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

int RunRead(const StreamFlags& f) {
  Result<StartPosition> from = ParseFrom(f.from);
  if (!from.ok()) return Fail(from.status());
  Result<std::unique_ptr<Stream>> s = OpenFromConfig(f.errors);
  if (!s.ok()) return Fail(s.status());
  bool known = false;
  for (const ShardInfo& x : (*s)->Describe()) known = known || x.id == ShardId(f.shard);
  if (!known) {
    return Fail(Status::Invalid("the stream has no shard " + std::to_string(f.shard) +
                                " (see `mailpulse stream describe`)"));
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
      line = "{\"shard\":" + std::to_string(f.shard) + ",\"seq\":\"" + r.seq.ToString() + "\"" +
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
  CLI::App* cmd = app.add_subcommand("stream", "Inspect the stream (read-only)");
  cmd->require_subcommand(1);
  CLI::App* describe =
      cmd->add_subcommand("describe", "Per shard: sequence range, records, bytes, segments");
  describe->add_flag("--json", flags->json, "Print JSON instead of a table");
  AddConfigFlags(describe);
  CLI::App* read =
      cmd->add_subcommand("read", "Print records of one shard, one JSON object per line");
  read->add_option("--shard", flags->shard, "Shard id (see stream describe)")->required();
  read->add_flag("--errors", flags->errors, "Read the error-output stream instead of the events");
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
