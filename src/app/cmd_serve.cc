// `mailpulse serve`: runs the pipeline until SIGINT or SIGTERM.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "app/commands.h"
#include "app/server_app.h"

namespace mailpulse {

namespace {
int RunServe() {
  // Block the stop signals in every thread; this one waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  ServerApp app(ActiveConfig());
  Status st = app.Start();
  if (!st.ok()) {
    spdlog::error("cannot start: {}", st.message());
    std::fprintf(stderr, "mailpulse serve: %s\n", st.message().c_str());
    return st.kind() == ErrorKind::kInvalid ? 2 : 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  app.Stop();
  return 0;
}
}  // namespace

Command AddServeCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "serve", "Receive the SendGrid Event Webhook, make events durable, serve metrics");
  AddConfigFlags(cmd);
  return {cmd, RunServe};
}

}  // namespace mailpulse
