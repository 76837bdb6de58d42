// LambdaApp: the composition root of `mailpulse lambda` — the webhook stage
// of `serve` (app/webhook_setup.h) behind the Lambda Runtime API instead of
// the HTTP server: config -> webhook settings -> data dir lock -> stream ->
// webhook stage -> router -> InvocationHandler. Delivery and analytics do
// not run here: in AWS, Firehose (or `serve --roles deliver,analytics`
// elsewhere) reads the stream (docs/aws.md).
//
// Start once; Invoke from the runtime loop's thread; Stop (or the
// destructor) completes or fails pending appends and closes the stream.
#pragma once

#include <memory>

#include "common/config.h"
#include "common/status.h"
#include "lambda/invocation_handler.h"
#include "lambda/runtime_client.h"

namespace mailpulse {

class LambdaApp {
 public:
  explicit LambdaApp(const Config& config);
  ~LambdaApp();

  // Invalid for configuration errors (keys, stream URL), other kinds for
  // I/O; the runtime then posts an init error and exits.
  Status Start();
  InvocationResult Invoke(const Invocation& invocation);
  void Stop();

 private:
  struct Parts;
  const Config& config_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace mailpulse
