// The simulator's sender: paces generated batches to a target event rate,
// signs each attempt like SendGrid (fresh timestamp per attempt), POSTs them
// over C keep-alive connections, and retries every non-2xx or connection
// failure with backoff until the batch is accepted or `retry_for` runs out.
// That retry loop is the contract end-to-end tests rely on when they kill
// the server mid-run: no batch is given up while the limit lasts.
//
// RunSimulation blocks until all traffic was answered (or given up). The
// generator is used only from the calling thread; workers own their
// connections. `stop` (may be null) ends generation early; batches already
// generated are still delivered.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "sim/keys.h"
#include "sim/traffic.h"

namespace mailpulse {

struct SimulatorOptions {
  std::string url;               // http://[user:pass@]host[:port]/path
  std::optional<Signer> signer;  // none = --unsigned
  std::string bearer_token;      // sent as Authorization: Bearer when set
  double rate = 1000;            // events per second (duplicates included); <= 0 = unpaced
  int connections = 2;
  double retry_for_seconds = 60;  // per batch, from its first attempt
  double timeout_seconds = 10;    // per HTTP exchange
};

struct SimulatorSummary {
  int64_t batches = 0;           // bodies generated
  int64_t events_sent = 0;       // event lines generated (duplicates included)
  int64_t duplicates_sent = 0;   // of which deliberate re-sends
  int64_t batches_accepted = 0;  // answered 2xx
  int64_t batches_failed = 0;    // gave up after retry_for
  int64_t retries = 0;           // attempts beyond the first
  int64_t server_accepted = 0;   // sums of the server's {"accepted","duplicates","rejected"}
  int64_t server_duplicates = 0;
  int64_t server_rejected = 0;
  double elapsed_seconds = 0;
  bool all_accepted() const { return batches_failed == 0 && batches_accepted == batches; }
};

// Invalid for a bad URL; otherwise the summary (check all_accepted()).
Result<SimulatorSummary> RunSimulation(const SimulatorOptions& options, TrafficGenerator& gen,
                                       const std::atomic<bool>* stop);

}  // namespace mailpulse
