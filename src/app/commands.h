// Subcommands. Each Add*Command registers its flags on `app` and returns the
// runner to call when that subcommand was chosen. Commands that read the
// shared configuration (serve, stream, ...) call ActiveConfig() inside their
// runner: by then defaults, --config TOML, MAILPULSE_* and flags are layered.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "common/config.h"

namespace mailpulse {

struct Command {
  CLI::App* cli = nullptr;
  std::function<int()> run;
  // When set, called instead of the default report if layering the
  // configuration fails (`lambda` posts it to the Runtime API); returns the exit code.
  std::function<int(const Status&)> config_error;
};

// The configuration layered for this run (valid inside runners).
const Config& ActiveConfig();
// Registers every configuration key as a flag on `cmd` (serve, stream, ...).
void AddConfigFlags(CLI::App* cmd);

Command AddServeCommand(CLI::App& app);      // app/cmd_serve.cc
Command AddStreamCommand(CLI::App& app);     // app/cmd_stream.cc: stream describe | read
Command AddKeygenCommand(CLI::App& app);     // app/cmd_simulate.cc
Command AddSimulateCommand(CLI::App& app);   // app/cmd_simulate.cc
Command AddReportCommand(CLI::App& app);     // app/cmd_report.cc: KPIs in the terminal
Command AddRebuildCommand(CLI::App& app);    // app/cmd_report.cc: recompute KPIs from the stream
Command AddQueryCommand(CLI::App& app);      // app/cmd_query.cc: S3 Select SQL over the lake
Command AddKafkaMockCommand(CLI::App& app);  // app/cmd_kafka_mock.cc: mock Kafka cluster for tests
Command AddLambdaCommand(CLI::App& app);     // app/cmd_lambda.cc: AWS Lambda custom runtime

}  // namespace mailpulse
