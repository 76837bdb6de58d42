#include "app/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>

#include "app/commands.h"
#include "common/config.h"

namespace mailpulse {
namespace {

Config& MutableConfig() {
  static Config config;
  return config;
}

// Flags given on the command line, by config key; layered last.
std::map<std::string, std::string>& FlagValues() {
  static std::map<std::string, std::string> values;
  return values;
}

std::string& ConfigPath() {
  static std::string path;
  return path;
}

Status LayerConfig() {
  Config& config = MutableConfig();
  const char* env_path = std::getenv("MAILPULSE_CONFIG");
  std::string path = !ConfigPath().empty() ? ConfigPath() : (env_path ? env_path : "");
  if (!path.empty()) MP_RETURN_IF_ERROR(config.LoadToml(path));
  MP_RETURN_IF_ERROR(config.LoadEnvironment());
  for (const auto& [key, value] : FlagValues()) {
    Status st = config.Set(key, value);
    if (!st.ok()) return Status::Invalid("--" + key + ": " + st.message());
  }
  return Status::Ok();
}

}  // namespace

const Config& ActiveConfig() { return MutableConfig(); }

void AddConfigFlags(CLI::App* cmd) {
  cmd->add_option("--config", ConfigPath(), "TOML configuration file [env MAILPULSE_CONFIG]");
  for (const ConfigKey& k : ConfigKeys()) {
    std::string key = k.key;
    std::string help = std::string(k.description) + " [env " + EnvName(k) +
                       "; default: " + (k.default_value[0] ? k.default_value : "none") + "]";
    if (k.type == ConfigType::kBool) {
      // --allow-unsigned, or --allow-unsigned=false (CLI11 passes -1 for a false value)
      cmd->add_flag_function(
          FlagName(k), [key](int64_t count) { FlagValues()[key] = count > 0 ? "true" : "false"; },
          help);
    } else {
      cmd->add_option_function<std::string>(
          FlagName(k), [key](const std::string& v) { FlagValues()[key] = v; }, help);
    }
  }
}

int RunCli(int argc, char** argv) {
  CLI::App app{"mailpulse: real-time analytics for SendGrid email events"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");

  std::vector<Command> commands;
  commands.push_back(AddServeCommand(app));
  commands.push_back(AddStreamCommand(app));
  commands.push_back(AddKeygenCommand(app));
  commands.push_back(AddSimulateCommand(app));
  commands.push_back(AddReportCommand(app));
  commands.push_back(AddRebuildCommand(app));
  commands.push_back(AddQueryCommand(app));
  commands.push_back(AddKafkaMockCommand(app));
  commands.push_back(AddLambdaCommand(app));

  CLI::App* config_doc =
      app.add_subcommand("config-doc", "Print the configuration reference (Markdown)");
  commands.push_back({config_doc, [] {
                        std::fputs(Config::MarkdownReference().c_str(), stdout);
                        return 0;
                      }});

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  Status st = LayerConfig();
  if (!st.ok()) {
    for (const Command& c : commands) {
      if (c.cli != nullptr && c.cli->parsed() && c.config_error) {
        return c.config_error(Status::Invalid("configuration error: " + st.message()));
      }
    }
    std::fprintf(stderr, "mailpulse: configuration error: %s\n", st.message().c_str());
    return 2;
  }
  // Logs go to stderr: stdout carries command output (report, query, stream
  // read), which must stay parseable.
  spdlog::set_default_logger(spdlog::stderr_color_mt("mailpulse"));
  auto level = spdlog::level::from_str(ActiveConfig().GetString("log_level"));
  spdlog::set_level(level);
  for (const Command& c : commands) {
    if (c.cli != nullptr && c.cli->parsed()) return c.run();
  }
  return 2;
}

}  // namespace mailpulse
