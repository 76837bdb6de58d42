// `mailpulse keygen` and `mailpulse simulate`: SendGrid's side of the
// webhook, for demos, load tests and end-to-end correctness tests.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "sim/keys.h"
#include "sim/simulator.h"
#include "sim/traffic.h"

namespace mailpulse {
namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

Status WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "write " + path);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::FromErrno(errno, "close " + path);
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct KeygenFlags {
  std::string out_dir = ".";
};

int RunKeygen(const KeygenFlags& f) {
  Result<KeyPair> pair = GenerateKeyPair();
  if (!pair.ok()) {
    std::fprintf(stderr, "mailpulse keygen: %s\n", pair.status().message().c_str());
    return 1;
  }
  ::mkdir(f.out_dir.c_str(), 0755);  // an existing directory is fine
  const std::string priv = f.out_dir + "/private.pem", pub = f.out_dir + "/public.b64";
  Status st = WriteFile(priv, pair->private_pem, 0600);
  if (st.ok()) st = WriteFile(pub, pair->public_base64 + "\n", 0644);
  if (!st.ok()) {
    std::fprintf(stderr, "mailpulse keygen: %s\n", st.message().c_str());
    return 1;
  }
  std::printf(
      "%s\n\n"
      "Wrote %s (keep it secret) and %s.\n"
      "Server:    mailpulse serve --sendgrid-public-key %s\n"
      "Simulator: mailpulse simulate --url http://127.0.0.1:8080/v1/webhooks/sendgrid "
      "--private-key %s\n",
      pair->public_base64.c_str(), priv.c_str(), pub.c_str(), pair->public_base64.c_str(),
      priv.c_str());
  return 0;
}

struct SimulateFlags {
  std::string url;
  std::string private_key;
  bool unsigned_requests = false;
  std::string bearer;
  double rate = 1000;
  double duration = 10;
  int64_t total_events = 0;
  int campaigns = 5;
  int batch_size = 100;
  std::string truth;
  uint64_t seed = 1;
  int64_t start_time = 0;
  double duplicates = 0.05;
  double missing_ids = 0.005;
  int connections = 2;
  double retry_for = 60;
  double timeout = 10;
};

int RunSimulate(const SimulateFlags& f) {
  SimulatorOptions o;
  o.url = f.url;
  o.bearer_token = f.bearer;
  o.rate = f.rate;
  o.connections = f.connections;
  o.retry_for_seconds = f.retry_for;
  o.timeout_seconds = f.timeout;
  if (!f.unsigned_requests) {
    if (f.private_key.empty()) {
      std::fprintf(stderr, "mailpulse simulate: --private-key FILE or --unsigned is required\n");
      return 2;
    }
    Result<std::string> pem = ReadFile(f.private_key);
    Result<Signer> signer = pem.ok() ? Signer::FromPrivatePem(*pem) : Result<Signer>(pem.status());
    if (!signer.ok()) {
      std::fprintf(stderr, "mailpulse simulate: %s: %s\n", f.private_key.c_str(),
                   signer.status().message().c_str());
      return 2;
    }
    o.signer = std::move(signer).value();
  }

  TrafficOptions t;
  t.seed = f.seed;
  t.campaigns = f.campaigns;
  t.batch_size = f.batch_size;
  t.duplicate_fraction = f.duplicates;
  t.missing_id_fraction = f.missing_ids;
  // --total-events counts distinct events; otherwise rate x duration worth of
  // traffic, duplicates included, approximately.
  t.total_events = f.total_events > 0
                       ? f.total_events
                       : static_cast<int64_t>(f.rate * f.duration / (1 + f.duplicates));
  if (t.total_events <= 0) {
    std::fprintf(stderr,
                 "mailpulse simulate: nothing to send (set --total-events, or --rate "
                 "and --duration)\n");
    return 2;
  }
  // Simulated sends start 3 h ago and advance about as fast as the run, so
  // event timestamps stay in the recent past.
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  t.start_unix_seconds = f.start_time > 0 ? f.start_time : now_s - 3 * 3600;
  t.messages_per_second = f.rate > 0 ? std::max(1.0, f.rate / 3.2) : 1000;
  TrafficGenerator gen(t);

  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGPIPE, SIG_IGN);
  Result<SimulatorSummary> r = RunSimulation(o, gen, &g_stop);
  if (!r.ok()) {
    std::fprintf(stderr, "mailpulse simulate: %s\n", r.status().message().c_str());
    return 2;
  }
  const SimulatorSummary& s = *r;
  if (!f.truth.empty()) {
    Status st = WriteFile(f.truth, gen.truth().ToJson(), 0644);
    if (!st.ok()) {
      std::fprintf(stderr, "mailpulse simulate: truth: %s\n", st.message().c_str());
      return 1;
    }
  }
  std::printf(
      "sent %lld events in %lld batches (%lld distinct, %lld deliberate duplicates) in %.1f s "
      "(%.0f events/s)\n"
      "batches accepted %lld, failed %lld, retries %lld\n"
      "server answered: accepted %lld, duplicates %lld, rejected %lld\n",
      static_cast<long long>(s.events_sent), static_cast<long long>(s.batches),
      static_cast<long long>(gen.truth().events_distinct()),
      static_cast<long long>(s.duplicates_sent), s.elapsed_seconds,
      s.elapsed_seconds > 0 ? static_cast<double>(s.events_sent) / s.elapsed_seconds : 0.0,
      static_cast<long long>(s.batches_accepted), static_cast<long long>(s.batches_failed),
      static_cast<long long>(s.retries), static_cast<long long>(s.server_accepted),
      static_cast<long long>(s.server_duplicates), static_cast<long long>(s.server_rejected));
  std::fflush(stdout);
  return s.all_accepted() ? 0 : 1;
}

}  // namespace

Command AddKeygenCommand(CLI::App& app) {
  static KeygenFlags flags;
  CLI::App* cmd = app.add_subcommand(
      "keygen", "Make a P-256 key pair for the Signed Event Webhook (private.pem, public.b64)");
  cmd->add_option("--out-dir", flags.out_dir, "Directory for private.pem and public.b64")
      ->capture_default_str();
  return {cmd, [] { return RunKeygen(flags); }};
}

Command AddSimulateCommand(CLI::App& app) {
  static SimulateFlags f;
  CLI::App* cmd = app.add_subcommand(
      "simulate", "POST realistic, signed SendGrid Event Webhook traffic to a URL");
  cmd->add_option("--url", f.url, "Webhook URL, http://[user:pass@]host:port/path")->required();
  cmd->add_option("--private-key", f.private_key, "PEM private key from `mailpulse keygen`");
  cmd->add_flag("--unsigned", f.unsigned_requests, "Send without signature headers");
  cmd->add_option("--bearer", f.bearer, "Send Authorization: Bearer TOKEN");
  cmd->add_option("--rate", f.rate, "Events per second, duplicates included (0 = unpaced)")
      ->capture_default_str();
  cmd->add_option("--duration", f.duration, "Seconds of traffic at --rate")->capture_default_str();
  cmd->add_option("--total-events", f.total_events,
                  "Distinct events to send (overrides rate x duration)");
  cmd->add_option("--campaigns", f.campaigns, "Single Sends to simulate")->capture_default_str();
  cmd->add_option("--batch-size", f.batch_size, "Events per POST")->capture_default_str();
  cmd->add_option("--truth", f.truth, "Write exact per-campaign counts (JSON) to this file");
  cmd->add_option("--seed", f.seed, "Random seed; same seed and start time, same traffic")
      ->capture_default_str();
  cmd->add_option("--start-time", f.start_time,
                  "Unix seconds of the first simulated send (default: 3 hours ago)");
  cmd->add_option("--duplicates", f.duplicates, "Fraction of events re-sent with the same id")
      ->capture_default_str();
  cmd->add_option("--missing-ids", f.missing_ids,
                  "Fraction of (group) unsubscribe events sent without sg_event_id")
      ->capture_default_str();
  cmd->add_option("--connections", f.connections, "Concurrent keep-alive connections")
      ->capture_default_str();
  cmd->add_option("--retry-for", f.retry_for,
                  "Seconds to keep retrying a batch that is not answered 2xx")
      ->capture_default_str();
  cmd->add_option("--timeout", f.timeout, "Seconds to wait for each HTTP answer")
      ->capture_default_str();
  return {cmd, [] { return RunSimulate(f); }};
}

}  // namespace mailpulse
