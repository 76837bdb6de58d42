// ServerApp: the composition root of `mailpulse serve`. Builds each stage
// from the configuration, starts them in order (streams, lake + delivery,
// dedupe rebuild, webhook handler, HTTP server) and stops them in reverse:
// stop accepting, let answers in flight finish, stop delivery (one last
// flush), close the streams (which completes or fails every pending append),
// then stop the HTTP threads.
//
// Tests start a ServerApp in process on port 0; `serve` runs one until
// SIGINT/SIGTERM.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/metrics.h"
#include "common/status.h"

namespace mailpulse {

class ServerApp {
 public:
  explicit ServerApp(const Config& config);
  ~ServerApp();

  Status Start();
  void Stop();
  uint16_t port() const;
  MetricsRegistry& metrics();

 private:
  struct Parts;
  const Config& config_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace mailpulse
