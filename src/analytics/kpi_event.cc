#include "analytics/kpi_event.h"

#include <simdjson.h>

namespace mailpulse {

namespace od = simdjson::ondemand;

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// A string, or a number as its text (ids are sometimes sent as numbers).
std::string_view TextOf(od::value v) {
  od::json_type t;
  if (v.type().get(t)) return {};
  if (t == od::json_type::string) {
    std::string_view s;
    return v.get_string().get(s) ? std::string_view() : s;
  }
  if (t == od::json_type::number) return Trim(v.raw_json_token());
  return {};
}

// The first string of a string or an array (ingest's rule for `category`).
std::string_view FirstCategory(od::value v) {
  od::json_type t;
  if (v.type().get(t)) return {};
  if (t == od::json_type::string) return TextOf(v);
  if (t != od::json_type::array) return {};
  od::array arr;
  if (v.get_array().get(arr)) return {};
  for (auto item : arr) {
    od::value iv;
    if (item.get(iv)) return {};
    od::json_type it;
    if (iv.type().get(it)) return {};
    if (it == od::json_type::string) return TextOf(iv);
  }
  return {};
}

// sg_machine_open: true/false, 0/1, "true"/"false".
bool MachineOpen(od::value v) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::boolean) {
    bool b = false;
    return !v.get_bool().get(b) && b;
  }
  if (t == od::json_type::number) return Trim(v.raw_json_token()) == "1";
  if (t == od::json_type::string) {
    std::string_view s;
    return !v.get_string().get(s) && s == "true";
  }
  return false;
}

}  // namespace

Result<std::vector<CampaignField>> ParseCampaignKey(const std::vector<std::string>& names) {
  std::vector<CampaignField> out;
  for (const std::string& n : names) {
    if (n == "singlesend_id") {
      out.push_back(CampaignField::kSinglesendId);
    } else if (n == "marketing_campaign_id") {
      out.push_back(CampaignField::kMarketingCampaignId);
    } else if (n == "category") {
      out.push_back(CampaignField::kCategory);
    } else {
      return Status::Invalid("campaign_key: unknown field '" + n +
                             "' (use singlesend_id, marketing_campaign_id, category)");
    }
  }
  if (out.empty()) return Status::Invalid("campaign_key: name at least one field");
  return out;
}

std::vector<CampaignField> DefaultCampaignKey() {
  return {CampaignField::kSinglesendId, CampaignField::kMarketingCampaignId,
          CampaignField::kCategory};
}

KpiEventKind KpiEventKindOf(std::string_view event, std::string_view type) {
  struct Name {
    std::string_view name;
    KpiEventKind kind;
  };
  static constexpr Name kNames[] = {
      {"processed", KpiEventKind::kProcessed},
      {"deferred", KpiEventKind::kDeferred},
      {"delivered", KpiEventKind::kDelivered},
      {"dropped", KpiEventKind::kDropped},
      {"open", KpiEventKind::kOpen},
      {"click", KpiEventKind::kClick},
      {"unsubscribe", KpiEventKind::kUnsubscribe},
      {"group_unsubscribe", KpiEventKind::kGroupUnsubscribe},
      {"group_resubscribe", KpiEventKind::kGroupResubscribe},
      {"spamreport", KpiEventKind::kSpamReport},
  };
  if (EqualsIgnoreCase(event, "bounce")) {
    return EqualsIgnoreCase(type, "blocked") ? KpiEventKind::kBlocked : KpiEventKind::kBounce;
  }
  for (const Name& n : kNames) {
    if (EqualsIgnoreCase(event, n.name)) return n.kind;
  }
  return KpiEventKind::kOther;
}

struct KpiEventDecoder::Rep {
  std::vector<CampaignField> campaign_key;
  od::parser parser;
  std::string buffer;  // padded copy of the payload
};

KpiEventDecoder::KpiEventDecoder(std::vector<CampaignField> campaign_key)
    : rep_(std::make_unique<Rep>()) {
  rep_->campaign_key = std::move(campaign_key);
}
KpiEventDecoder::~KpiEventDecoder() = default;

Status KpiEventDecoder::Decode(std::string_view payload, KpiEvent* out) {
  *out = KpiEvent();
  std::string& buf = rep_->buffer;
  buf.assign(payload);
  buf.reserve(payload.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (rep_->parser.iterate(buf.data(), buf.size(), buf.capacity()).get(doc)) {
    return Status::Corruption("record is not JSON");
  }
  od::object obj;
  if (doc.get_object().get(obj)) return Status::Corruption("record is not a JSON object");

  std::string_view event, type, singlesend_id, mc_id, category, singlesend_name, mc_name;
  bool has_time = false;
  // The envelope's values, nested in a stream record or flattened in a lake line.
  auto envelope = [&](std::string_view key, od::value& v) -> Status {
    if (key == "message_id") {
      out->message_id = TextOf(v);
    } else if (key == "event_ms") {
      int64_t ms = 0;
      if (v.get_int64().get(ms)) return Status::Corruption("event_ms is not an integer");
      out->event_ms = ms;
      has_time = true;
    }
    return Status::Ok();
  };
  // Ingest writes `_mailpulse` first: after it, `mp_*` members are the
  // sender's own (custom args), not a lake line's envelope.
  constexpr std::string_view kLakePrefix = "mp_";
  bool nested = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Status::Corruption("bad key in record");
    od::value v;
    if (field.value().get(v)) return Status::Corruption("bad value in record");
    if (key == "_mailpulse") {
      nested = true;
      od::object env;
      if (v.get_object().get(env)) return Status::Corruption("_mailpulse is not an object");
      for (auto ef : env) {
        std::string_view ek;
        od::value ev;
        if (ef.unescaped_key().get(ek) || ef.value().get(ev))
          return Status::Corruption("bad _mailpulse");
        MP_RETURN_IF_ERROR(envelope(ek, ev));
      }
    } else if (!nested && key.starts_with(kLakePrefix)) {
      if (key == "mp_error") return Status::Corruption("a lake error line, not an event");
      MP_RETURN_IF_ERROR(envelope(key.substr(kLakePrefix.size()), v));
    } else if (key == "event") {
      event = TextOf(v);
    } else if (key == "type") {
      type = TextOf(v);
    } else if (key == "sg_machine_open") {
      out->machine_open = MachineOpen(v);
    } else if (key == "singlesend_id") {
      singlesend_id = TextOf(v);
    } else if (key == "marketing_campaign_id") {
      mc_id = TextOf(v);
    } else if (key == "category") {
      category = FirstCategory(v);
    } else if (key == "singlesend_name") {
      singlesend_name = TextOf(v);
    } else if (key == "marketing_campaign_name") {
      mc_name = TextOf(v);
    } else if (key == "url") {
      out->url = TextOf(v);
    } else if (key == "reason") {
      out->reason = TextOf(v);
    }
  }
  if (!has_time) return Status::Corruption("record has no _mailpulse.event_ms (or mp_event_ms)");
  out->kind = KpiEventKindOf(event, type);
  out->campaign_id = kNoCampaign;
  for (CampaignField f : rep_->campaign_key) {
    std::string_view id = f == CampaignField::kSinglesendId          ? singlesend_id
                          : f == CampaignField::kMarketingCampaignId ? mc_id
                                                                     : category;
    if (!id.empty()) {
      out->campaign_id = id;
      out->campaign_name = f == CampaignField::kSinglesendId          ? singlesend_name
                           : f == CampaignField::kMarketingCampaignId ? mc_name
                                                                      : std::string_view();
      break;
    }
  }
  return Status::Ok();
}

}  // namespace mailpulse
