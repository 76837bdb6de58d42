#include "lambda/runtime_loop.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace mailpulse {

int RunRuntimeLoop(RuntimeClient& runtime, const InvokeFunction& invoke) {
  for (;;) {
    Result<Invocation> next = runtime.Next();
    if (!next.ok()) {
      spdlog::error("lambda: runtime API next: {}", next.status().message());
      return 1;
    }
    const Invocation& inv = *next;
    if (inv.trace_id.empty()) {
      unsetenv("_X_AMZN_TRACE_ID");
    } else {
      setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
    }
    InvocationResult result = invoke(inv);
    Status posted;
    if (result.ok) {
      spdlog::debug("lambda: {} answered {}", inv.request_id, result.status);
      posted = runtime.PostResponse(inv.request_id, result.payload);
    } else {
      spdlog::warn("lambda: {} invocation error {}: {}", inv.request_id, result.error_type,
                   result.error_message);
      posted = runtime.PostInvocationError(inv.request_id, result.error_type, result.error_message);
    }
    if (posted.ok()) continue;
    if (posted.kind() == ErrorKind::kInvalid) {
      spdlog::error("lambda: {}: the runtime API refused the answer: {}", inv.request_id,
                    posted.message());
      continue;
    }
    spdlog::error("lambda: {}: cannot post the answer, exiting: {}", inv.request_id,
                  posted.message());
    return 1;
  }
}

}  // namespace mailpulse
