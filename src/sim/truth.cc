#include "sim/truth.h"

#include "sim/json_writer.h"

namespace mailpulse {

std::string_view EventName(SimEventKind kind) {
  switch (kind) {
    case SimEventKind::kProcessed:
      return "processed";
    case SimEventKind::kDeferred:
      return "deferred";
    case SimEventKind::kDelivered:
      return "delivered";
    case SimEventKind::kBounce:
    case SimEventKind::kBlocked:
      return "bounce";
    case SimEventKind::kDropped:
      return "dropped";
    case SimEventKind::kOpen:
      return "open";
    case SimEventKind::kClick:
      return "click";
    case SimEventKind::kUnsubscribe:
      return "unsubscribe";
    case SimEventKind::kGroupUnsubscribe:
      return "group_unsubscribe";
    case SimEventKind::kGroupResubscribe:
      return "group_resubscribe";
    case SimEventKind::kSpamReport:
      return "spamreport";
  }
  return "unknown";
}

void Truth::AddCampaign(const std::string& id, const std::string& name) {
  campaigns_[id].name = name;
}

void Truth::RecordDistinct(const std::string& campaign_id, const TruthEvent& e) {
  ++events_distinct_;
  ++by_type_[std::string(EventName(e.kind))];
  CampaignCounts& c = campaigns_[campaign_id];
  switch (e.kind) {
    case SimEventKind::kProcessed:
      ++c.processed;
      break;
    case SimEventKind::kDeferred:
      ++c.deferred;
      break;
    case SimEventKind::kDelivered:
      ++c.delivered;
      break;
    case SimEventKind::kBounce:
      ++c.bounces;
      break;
    case SimEventKind::kBlocked:
      ++c.blocks;
      break;
    case SimEventKind::kDropped:
      ++c.dropped;
      break;
    case SimEventKind::kOpen:
      ++c.opens;
      if (e.machine_open) ++c.machine_opens;
      if (e.first_open) ++c.unique_opens;
      if (e.first_human_open) ++c.human_unique_opens;
      break;
    case SimEventKind::kClick: {
      ++c.clicks;
      if (e.first_click) ++c.unique_clicks;
      LinkCounts& l = c.links[std::string(e.url)];
      ++l.clicks;
      if (e.first_click_on_url) ++l.unique_clicks;
      break;
    }
    case SimEventKind::kUnsubscribe:
      ++c.unsubscribes;
      break;
    case SimEventKind::kGroupUnsubscribe:
      ++c.group_unsubscribes;
      break;
    case SimEventKind::kGroupResubscribe:
      ++c.group_resubscribes;
      break;
    case SimEventKind::kSpamReport:
      ++c.spam_reports;
      break;
  }
}

std::string Truth::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Int("events_distinct", events_distinct_).Int("events_sent", events_sent_);
  w.BeginObject("events_by_type");
  for (const auto& [type, n] : by_type_) w.Int(type, n);
  w.EndObject();
  w.BeginObject("campaigns");
  for (const auto& [id, c] : campaigns_) {
    w.BeginObject(id);
    w.String("name", c.name);
    w.Int("processed", c.processed).Int("delivered", c.delivered).Int("deferred", c.deferred);
    w.Int("bounces", c.bounces).Int("blocks", c.blocks).Int("dropped", c.dropped);
    w.Int("opens", c.opens).Int("unique_opens", c.unique_opens);
    w.Int("machine_opens", c.machine_opens).Int("human_unique_opens", c.human_unique_opens);
    w.Int("clicks", c.clicks).Int("unique_clicks", c.unique_clicks);
    w.Int("unsubscribes", c.unsubscribes).Int("group_unsubscribes", c.group_unsubscribes);
    w.Int("group_resubscribes", c.group_resubscribes).Int("spam_reports", c.spam_reports);
    w.BeginObject("links");
    for (const auto& [url, l] : c.links) {
      w.BeginObject(url).Int("clicks", l.clicks).Int("unique_clicks", l.unique_clicks).EndObject();
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

}  // namespace mailpulse
