// The simulator's ground truth: exact per-campaign KPI counts over the
// DISTINCT events it generated (SendGrid-style duplicates excluded), written
// as JSON with `simulate --truth FILE` so end-to-end tests can compare the
// product's numbers with what was really sent.
//
// Truth does not deduplicate or track messages itself: the generator tells it
// whether an event is the first of its kind for its message (first open,
// first human open, first click, first click on a URL), so memory stays
// O(campaigns x links) however long a run lasts. Not thread-safe.
//
// JSON layout:
//   {"events_distinct":N,"events_sent":N,"events_by_type":{"processed":N,...},
//    "campaigns":{"<singlesend_id>":{"name":"...","processed":N,...,
//                 "links":{"<url>":{"clicks":N,"unique_clicks":N}}}}}
// events_by_type is keyed by the `event` field, so "bounce" counts both
// type=bounce and type=blocked.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace mailpulse {

enum class SimEventKind {
  kProcessed,
  kDeferred,
  kDelivered,
  kBounce,   // event "bounce", type "bounce"
  kBlocked,  // event "bounce", type "blocked"
  kDropped,
  kOpen,
  kClick,
  kUnsubscribe,
  kGroupUnsubscribe,
  kGroupResubscribe,
  kSpamReport,
};

// The `event` field value ("bounce" for both kBounce and kBlocked).
std::string_view EventName(SimEventKind kind);

struct LinkCounts {
  int64_t clicks = 0;
  int64_t unique_clicks = 0;
};

struct CampaignCounts {
  std::string name;
  int64_t processed = 0, delivered = 0, deferred = 0, bounces = 0, blocks = 0, dropped = 0;
  int64_t opens = 0, unique_opens = 0, machine_opens = 0, human_unique_opens = 0;
  int64_t clicks = 0, unique_clicks = 0;
  int64_t unsubscribes = 0, group_unsubscribes = 0, group_resubscribes = 0, spam_reports = 0;
  std::map<std::string, LinkCounts> links;
};

// What the generator knows about a distinct event when it is first sent.
struct TruthEvent {
  SimEventKind kind;
  bool machine_open = false;        // opens
  std::string_view url;             // clicks
  bool first_open = false;          // first open of its message
  bool first_human_open = false;    // first open with sg_machine_open false
  bool first_click = false;         // first click of its message
  bool first_click_on_url = false;  // first click of its message on `url`
};

class Truth {
 public:
  void AddCampaign(const std::string& id, const std::string& name);
  // A distinct event, counted once.
  void RecordDistinct(const std::string& campaign_id, const TruthEvent& e);
  // Every event line put in a body, duplicates included.
  void RecordSent(int64_t n) { events_sent_ += n; }

  int64_t events_distinct() const { return events_distinct_; }
  int64_t events_sent() const { return events_sent_; }
  const std::map<std::string, int64_t>& events_by_type() const { return by_type_; }
  const std::map<std::string, CampaignCounts>& campaigns() const { return campaigns_; }

  std::string ToJson() const;

 private:
  int64_t events_distinct_ = 0;
  int64_t events_sent_ = 0;
  std::map<std::string, int64_t> by_type_;
  std::map<std::string, CampaignCounts> campaigns_;
};

}  // namespace mailpulse
