// Command-line front door: parses the subcommand and the configuration
// (defaults < TOML < MAILPULSE_* < flags) and runs it.
#pragma once

namespace mailpulse {
int RunCli(int argc, char** argv);
}
