// KpiEvent: what analytics needs of one stream record, decoded from the
// enriched payload (docs/formats/event-record.md) in one simdjson pass.
//
// The envelope written by ingest already carries the normalized values
// (`_mailpulse.message_id`, `_mailpulse.event_ms`), so analytics does not
// re-derive them; from the original event it reads only the event name, the
// bounce type, sg_machine_open, the campaign fields, the URL and the drop
// reason. Records were validated by ingest; a record this decoder cannot use
// (not JSON, no event time) is reported as Corruption and skipped by callers.
// Lake lines (docs/formats/lake-object.md, "Lines") decode the same: their
// envelope is flattened into top-level `mp_message_id` / `mp_event_ms`; error
// lines (`mp_error`) are Corruption.
//
// Lifetime: the string_views of a KpiEvent point into the decoder's buffers
// and stay valid until the next Decode on the same decoder.
// Thread-safety: one decoder per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailpulse {

enum class KpiEventKind : uint8_t {
  kProcessed,
  kDeferred,
  kDelivered,
  kBounce,   // event "bounce", type "bounce" (or no type)
  kBlocked,  // event "bounce", type "blocked"
  kDropped,
  kOpen,
  kClick,
  kUnsubscribe,
  kGroupUnsubscribe,
  kGroupResubscribe,
  kSpamReport,
  kOther,  // anything else (account_status_change, unknown): not counted
};

// Which event field names the campaign, in order of preference; the first
// present, non-empty one wins. Configured as `campaign_key`, a comma list of
// singlesend_id, marketing_campaign_id, category.
enum class CampaignField : uint8_t { kSinglesendId, kMarketingCampaignId, kCategory };
Result<std::vector<CampaignField>> ParseCampaignKey(const std::vector<std::string>& names);
std::vector<CampaignField> DefaultCampaignKey();

// Campaign id used for events that carry none of the configured fields.
inline constexpr std::string_view kNoCampaign = "_none";

struct KpiEvent {
  KpiEventKind kind = KpiEventKind::kOther;
  std::string_view message_id;     // empty: the event has no sg_message_id
  std::string_view campaign_id;    // never empty (kNoCampaign)
  std::string_view campaign_name;  // singlesend_name / marketing_campaign_name; may be empty
  std::string_view url;            // clicks
  std::string_view reason;         // dropped
  int64_t event_ms = 0;
  bool machine_open = false;  // opens: sg_machine_open true
};

KpiEventKind KpiEventKindOf(std::string_view event, std::string_view type);

class KpiEventDecoder {
 public:
  explicit KpiEventDecoder(std::vector<CampaignField> campaign_key = DefaultCampaignKey());
  ~KpiEventDecoder();
  KpiEventDecoder(const KpiEventDecoder&) = delete;
  KpiEventDecoder& operator=(const KpiEventDecoder&) = delete;

  Status Decode(std::string_view payload, KpiEvent* out);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace mailpulse
