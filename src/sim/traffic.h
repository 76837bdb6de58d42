// Deterministic SendGrid Event Webhook traffic: what SendGrid would POST for
// a few Single Sends, batch by batch, including its quirks, so the whole
// pipeline can be tested against known answers (sim/truth.h).
//
// Per message: `processed`, then an outcome (~95% delivered, some after 1-3
// `deferred`; ~2% bounce; ~1.5% blocked; ~1.5% dropped), then engagement on
// delivered mail (opens with Apple MPP machine opens, clicks over several
// links, unsubscribes, group (un|re)subscribes, spam reports). Quirks
// reproduced: category as array or plain string, `attempt` as a string,
// timestamps sometimes a string or in milliseconds, \u003c/\u003e in smtp-id,
// duplicates re-sent in later batches with the same sg_event_id, and
// unsubscribe/group events without sg_event_id (re-sent too). Events of one
// message are emitted in causal order except for an occasional swap of two
// neighbours (an open before its delivered); batches mix many messages.
//
// Same options (seed included) => byte-identical batches. No I/O, no clock.
// Memory is bounded by the window of in-flight messages, so a day-long run
// is fine. Not thread-safe: one thread calls NextBatch.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/truth.h"

namespace mailpulse {

struct TrafficOptions {
  uint64_t seed = 1;
  int campaigns = 3;
  int64_t total_events = 1000;  // distinct events to generate (duplicates come on top)
  int batch_size = 100;         // event lines per body, duplicates included
  double duplicate_fraction = 0.05;
  double missing_id_fraction = 0.005;       // of unsubscribe / group_(un|re)subscribe events
  int64_t start_unix_seconds = 1767225600;  // simulated time of the first send
  double messages_per_second = 20;          // simulated send rate, spreads timestamps
};

struct SimBatch {
  std::string body;        // exactly SendGrid's framing: [{..},\r\n{..}]\r\n
  int64_t events = 0;      // lines in body
  int64_t duplicates = 0;  // lines that are re-sends of an earlier line
};

struct SimCampaign {
  std::string id;             // singlesend_id
  std::string name;           // singlesend_name
  std::string category_json;  // ["..",".."] or "..": the exact JSON value
  std::vector<std::string> urls;
  int asm_group_id = 0;
};

class TrafficGenerator {
 public:
  explicit TrafficGenerator(TrafficOptions options);
  ~TrafficGenerator();
  TrafficGenerator(const TrafficGenerator&) = delete;
  TrafficGenerator& operator=(const TrafficGenerator&) = delete;

  // The next body to POST, or nullopt once every event and every scheduled
  // duplicate went out. Counts each line in truth() as it is produced.
  std::optional<SimBatch> NextBatch();

  const Truth& truth() const { return truth_; }
  const std::vector<SimCampaign>& campaigns() const { return campaigns_; }

 private:
  struct Event;
  struct Message;
  struct Fields;

  void MakeCampaigns();
  void StartMessage();
  Event MakeEvent(const Message& m, SimEventKind kind, int64_t ts, const Fields& f);
  bool TakeFresh(Event* out);
  void RecordFirstSend(Message& m, const Event& e);

  // Deterministic randomness (splitmix64), identical on every platform.
  uint64_t Next();
  uint64_t Below(uint64_t n) { return Next() % n; }
  int64_t Range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(hi - lo + 1)); }
  bool Chance(double p);

  TrafficOptions options_;
  uint64_t rng_state_;
  std::vector<SimCampaign> campaigns_;
  Truth truth_;
  std::vector<std::unique_ptr<Message>> window_;  // messages still emitting
  size_t window_size_;
  uint64_t next_message_ = 0;
  uint64_t next_event_serial_ = 0;
  int64_t fresh_emitted_ = 0;
  int64_t batch_index_ = 0;
  std::map<int64_t, std::vector<std::string>> resends_;  // batch index -> event JSON
};

}  // namespace mailpulse
