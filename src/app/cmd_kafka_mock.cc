// `mailpulse kafka-mock`: librdkafka's mock Kafka cluster as a process, so
// that tests and benchmarks can point `mailpulse serve --stream kafka://...`
// at a cluster without a JVM (docs/kafka.md, "Mock cluster").
//
// stdout: first line = the bootstrap servers; then one "ok <command>" line
// per control command. stdin: control commands, one per line:
//   down N | up N   take broker N (1-based) down / bring it back
// Runs until SIGINT or SIGTERM. Not a speed reference: records live in
// memory and a broker taken down keeps its partition leaderships.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "stream/kafka/kafka_mock_cluster.h"

namespace mailpulse {
namespace {

struct KafkaMockFlags {
  int brokers = 3;
  std::vector<std::string> topics = {"events"};
  int partitions = 4;
};

Status RunControl(KafkaMockCluster& mock, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  int broker = 0;
  if (!(in >> verb >> broker)) return Status::Invalid("expected 'down N' or 'up N'");
  if (verb == "down") return mock.SetBrokerDown(broker);
  if (verb == "up") return mock.SetBrokerUp(broker);
  return Status::Invalid("unknown command '" + verb + "' (down N | up N)");
}

int RunKafkaMock(const KafkaMockFlags& f) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts

  auto mock = KafkaMockCluster::Start(f.brokers);
  if (!mock.ok()) {
    std::fprintf(stderr, "mailpulse kafka-mock: %s\n", mock.status().message().c_str());
    return 1;
  }
  for (const std::string& topic : f.topics) {
    // Each topic comes with its `<topic>-errors` companion (one partition),
    // the errors stream's default name for a kafka:// URL.
    for (const auto& [name, n] : {std::pair{topic, f.partitions}, {topic + "-errors", 1}}) {
      Status st = (*mock)->CreateTopic(name, n);
      if (!st.ok()) {
        std::fprintf(stderr, "mailpulse kafka-mock: %s\n", st.message().c_str());
        return 1;
      }
    }
  }
  std::printf("%s\n", (*mock)->bootstraps().c_str());
  std::fflush(stdout);
  spdlog::info("kafka mock cluster: {} brokers on {}", f.brokers, (*mock)->bootstraps());

  KafkaMockCluster* raw = mock->get();
  // Detached: it may sit in a read of stdin when the process exits.
  std::thread([raw] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      Status st = RunControl(*raw, line);
      if (st.ok()) {
        std::printf("ok %s\n", line.c_str());
        std::fflush(stdout);
        spdlog::info("kafka mock cluster: {}", line);
      } else {
        std::fprintf(stderr, "mailpulse kafka-mock: %s: %s\n", line.c_str(), st.message().c_str());
      }
    }
  }).detach();

  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("kafka mock cluster: stopping");
  std::fflush(stdout);
  // The stdin thread may still hold `raw`: leave without destroying the
  // cluster (the process is ending; its sockets close with it).
  std::_Exit(0);
}

}  // namespace

Command AddKafkaMockCommand(CLI::App& app) {
  auto flags = std::make_shared<KafkaMockFlags>();
  CLI::App* cmd = app.add_subcommand(
      "kafka-mock", "Run librdkafka's mock Kafka cluster (for tests; prints bootstrap servers)");
  cmd->add_option("--brokers", flags->brokers, "Number of brokers (1..16)")->capture_default_str();
  cmd->add_option("--topic", flags->topics,
                  "Topic to create, with its <topic>-errors companion (repeatable)")
      ->capture_default_str();
  cmd->add_option("--partitions", flags->partitions, "Partitions of each --topic")
      ->capture_default_str();
  return {cmd, [flags] { return RunKafkaMock(*flags); }};
}

}  // namespace mailpulse
