// `mailpulse lambda`: the webhook as an AWS Lambda custom runtime (the
// package's `bootstrap` runs it). Configured like `serve`, by MAILPULSE_*
// environment variables (docs/config.md); talks to AWS_LAMBDA_RUNTIME_API.
// Start-up failures, configuration errors included, are posted to
// /runtime/init/error before exiting non-zero.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "app/commands.h"
#include "app/lambda_app.h"
#include "lambda/runtime_loop.h"

namespace mailpulse {
namespace {

constexpr const char* kInitErrorType = "Mailpulse.InitError";

const char* RuntimeApi() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  return api != nullptr && api[0] != '\0' ? api : nullptr;
}

// Posts an init error when there is a Runtime API to post it to.
int FailInit(const Status& st) {
  std::fprintf(stderr, "mailpulse lambda: %s\n", st.message().c_str());
  if (const char* api = RuntimeApi()) {
    RuntimeClient runtime(api);
    Status posted = runtime.PostInitError(kInitErrorType, st.message());
    if (!posted.ok()) {
      std::fprintf(stderr, "mailpulse lambda: cannot post the init error: %s\n",
                   posted.message().c_str());
    }
  }
  return st.kind() == ErrorKind::kInvalid ? 2 : 1;
}

int RunLambda() {
  std::signal(SIGPIPE, SIG_IGN);
  const char* api = RuntimeApi();
  if (api == nullptr) {
    std::fprintf(stderr,
                 "mailpulse lambda: AWS_LAMBDA_RUNTIME_API is not set; this command runs as a "
                 "Lambda custom runtime (docs/aws.md)\n");
    return 2;
  }
  LambdaApp app(ActiveConfig());
  Status st = app.Start();
  if (!st.ok()) return FailInit(st);
  RuntimeClient runtime(api);
  int code = RunRuntimeLoop(runtime, [&app](const Invocation& inv) { return app.Invoke(inv); });
  app.Stop();
  return code;
}

}  // namespace

Command AddLambdaCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "lambda", "Run the webhook as an AWS Lambda custom runtime behind API Gateway");
  AddConfigFlags(cmd);
  return {cmd, RunLambda, [](const Status& st) { return FailInit(st); }};
}

}  // namespace mailpulse
