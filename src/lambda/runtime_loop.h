// The custom runtime's loop: GET the next invocation, hand it to `invoke`,
// POST the result as the response or as an invocation error; forever.
// Before each call, _X_AMZN_TRACE_ID is set from Lambda-Runtime-Trace-Id
// (and unset when the invocation has none), as Lambda's own runtimes do.
//
// It returns only when the Runtime API fails in a way Lambda documents as
// fatal (a 500 "container error", or the endpoint is gone): the result is
// the exit code (1). A 4xx to a post loses that one answer and is logged.
#pragma once

#include <functional>

#include "lambda/invocation_handler.h"
#include "lambda/runtime_client.h"

namespace mailpulse {

using InvokeFunction = std::function<InvocationResult(const Invocation&)>;

int RunRuntimeLoop(RuntimeClient& runtime, const InvokeFunction& invoke);

}  // namespace mailpulse
