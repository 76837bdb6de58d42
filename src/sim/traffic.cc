#include "sim/traffic.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "common/base64.h"
#include "sim/json_writer.h"

namespace mailpulse {
namespace {

constexpr int64_t kSendGridUserId = 10994919;
constexpr double kSwapNeighbours = 0.03;  // an event overtakes the previous one of its message

uint64_t Mix(uint64_t z) {  // splitmix64 finaliser: a bijection on 64 bits
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string Base64Url(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

// A 22-character base64url id, unique per (serial, salt): the first 8 bytes
// are a bijection of the serial.
std::string Id22(uint64_t serial, uint64_t salt) {
  uint64_t a = Mix(serial ^ salt);
  uint64_t b = Mix(serial + salt * 0x9e3779b97f4a7c15ULL + 1);
  std::string bytes(16, '\0');
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<char>(a >> (56 - 8 * i));
    bytes[8 + i] = static_cast<char>(b >> (56 - 8 * i));
  }
  return Base64Url(bytes);
}

std::string Hex(uint64_t v, int digits, bool upper) {
  const char* d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s(digits, '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) s[i] = d[v & 15];
  return s;
}

const char* const kDropReasons[] = {"Bounced Address", "Unsubscribed Address",
                                    "Spam Reporting Address", "Invalid"};
const char* const kDomains[] = {"example.com", "example.org", "mail.example.net",
                                "inbox.example.io"};
const char* const kRecvHosts[] = {"5d8c7b9f4-x2kq8", "6b7d9f5c8-h2x9q", "7c9d8e6f5-mm4zt",
                                  "84f6c7d9b-qp7rw"};
const char* const kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko)"};
const char* const kCampaignNames[] = {"Spring Sale",      "Weekly Digest",   "Product Launch",
                                      "Winback Offer",    "Onboarding Tips", "Black Friday",
                                      "Event Invitation", "Survey Request"};

}  // namespace

struct TrafficGenerator::Event {
  std::string json;
  SimEventKind kind = SimEventKind::kProcessed;
  bool machine_open = false;
  int url = -1;             // index into the campaign's urls (clicks)
  bool missing_id = false;  // sent without sg_event_id (always re-sent once)
};

struct TrafficGenerator::Message {
  uint64_t serial = 0;
  int campaign = 0;
  int64_t user_id = 0;
  std::string email, msg_id, sg_message_id, smtp_id;
  std::deque<Event> events;  // causal order, next to send first
  bool opened = false, human_opened = false, clicked = false;
  std::vector<bool> clicked_url;
};

// Event-specific fields; unset ones are omitted.
struct TrafficGenerator::Fields {
  std::string type, reason, status, response, attempt, ip, useragent, url, url_type;
  std::string bounce_classification;
  int url_index = -1;
  int tls = -1;
  int asm_group_id = 0;
  std::optional<bool> machine_open;
  std::string sg_event_id;  // delivery-event ids; engagement ids are random
  bool missing_id = false;
};

TrafficGenerator::TrafficGenerator(TrafficOptions options)
    : options_(options), rng_state_(Mix(options.seed + 0x51d1u)) {
  options_.campaigns = std::max(1, options_.campaigns);
  options_.batch_size = std::max(1, options_.batch_size);
  if (options_.messages_per_second <= 0) options_.messages_per_second = 20;
  // Enough in-flight messages that one body mixes many of them.
  window_size_ = static_cast<size_t>(std::max(4, options_.batch_size));
  MakeCampaigns();
}

TrafficGenerator::~TrafficGenerator() = default;

uint64_t TrafficGenerator::Next() {
  rng_state_ += 0x9e3779b97f4a7c15ULL;
  return Mix(rng_state_);
}

bool TrafficGenerator::Chance(double p) {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p;
}

void TrafficGenerator::MakeCampaigns() {
  for (int k = 0; k < options_.campaigns; ++k) {
    SimCampaign c;
    uint64_t a = Next(), b = Next();
    c.id = Hex(a >> 32, 8, false) + "-" + Hex(a >> 16, 4, false) + "-4" + Hex(a, 3, false) + "-" +
           Hex(0x8000 | (b >> 48 & 0x3fff), 4, false) + "-" + Hex(b, 12, false);
    c.name =
        std::string(kCampaignNames[k % std::size(kCampaignNames)]) + " #" + std::to_string(k + 1);
    // Every third campaign was sent with a plain-string category: the webhook
    // echoes the type it was given, so consumers see both shapes.
    if (k % 3 == 2) {
      c.category_json = "\"promo\"";
    } else {
      c.category_json = "[\"newsletter\",\"campaign-" + std::to_string(k + 1) + "\"]";
    }
    int nurls = 3 + static_cast<int>(Below(3));
    for (int j = 0; j < nurls; ++j) {
      c.urls.push_back("https://shop.example.com/c" + std::to_string(k + 1) + "/item-" +
                       std::to_string(j + 1) + "?utm_source=sendgrid&utm_campaign=c" +
                       std::to_string(k + 1));
    }
    c.asm_group_id = 1000 + k % 3;
    truth_.AddCampaign(c.id, c.name);
    campaigns_.push_back(std::move(c));
  }
}

TrafficGenerator::Event TrafficGenerator::MakeEvent(const Message& m, SimEventKind kind, int64_t ts,
                                                    const Fields& f) {
  const SimCampaign& c = campaigns_[m.campaign];
  Event e;
  e.kind = kind;
  e.machine_open = f.machine_open.value_or(false);
  e.url = f.url_index;
  e.missing_id = f.missing_id;
  JsonWriter w;
  w.BeginObject();
  w.String("email", m.email);
  // Timestamp drift seen in real payloads: mostly integer seconds, a few as
  // strings, and some opens in milliseconds.
  if (kind == SimEventKind::kOpen && Chance(0.15)) {
    w.Int("timestamp", ts * 1000 + Range(0, 999));
  } else if (Chance(0.02)) {
    w.String("timestamp", std::to_string(ts));
  } else {
    w.Int("timestamp", ts);
  }
  w.String("smtp-id", m.smtp_id);
  w.String("event", EventName(kind));
  w.Raw("category", c.category_json);
  if (!f.missing_id) {
    w.String("sg_event_id", f.sg_event_id.empty() ? Id22(next_event_serial_++, Mix(options_.seed))
                                                  : f.sg_event_id);
  }
  w.String("sg_message_id", m.sg_message_id);
  if (!f.type.empty()) w.String("type", f.type);
  if (!f.bounce_classification.empty()) w.String("bounce_classification", f.bounce_classification);
  if (!f.reason.empty()) w.String("reason", f.reason);
  if (!f.status.empty()) w.String("status", f.status);
  if (!f.response.empty()) w.String("response", f.response);
  if (!f.attempt.empty()) w.String("attempt", f.attempt);
  if (f.tls >= 0) w.Int("tls", f.tls);
  if (!f.ip.empty()) w.String("ip", f.ip);
  if (!f.useragent.empty()) w.String("useragent", f.useragent);
  if (f.machine_open) w.Bool("sg_machine_open", *f.machine_open);
  if (!f.url.empty()) w.String("url", f.url);
  if (f.url_index >= 0) {
    w.BeginObject("url_offset").Int("index", f.url_index).String("type", f.url_type).EndObject();
  }
  if (f.asm_group_id > 0) w.Int("asm_group_id", f.asm_group_id);
  w.String("singlesend_id", c.id);
  w.String("singlesend_name", c.name);
  w.String("mc_stats", "singlesend");
  w.String("phase_id", "send");
  // Custom args arrive as top-level string keys.
  w.String("user_id", std::to_string(m.user_id));
  w.String("tenant", "acme");
  w.EndObject();
  e.json = w.Take();
  return e;
}

void TrafficGenerator::StartMessage() {
  auto m = std::make_unique<Message>();
  m->serial = next_message_++;
  m->campaign = static_cast<int>(Below(campaigns_.size()));
  const SimCampaign& c = campaigns_[m->campaign];
  m->clicked_url.assign(c.urls.size(), false);
  m->user_id = 100000 + static_cast<int64_t>(m->serial);
  m->email = "user" + std::to_string(m->user_id) + "@" + kDomains[Below(std::size(kDomains))];
  m->msg_id = Id22(m->serial, Mix(options_.seed ^ 0x6d7367u));
  const int64_t t0 =
      options_.start_unix_seconds +
      static_cast<int64_t>(static_cast<double>(m->serial) / options_.messages_per_second);
  m->sg_message_id = m->msg_id + ".recvd-" + kRecvHosts[Below(std::size(kRecvHosts))] + "-1-" +
                     Hex(static_cast<uint64_t>(t0), 8, true) + "-" + std::to_string(Range(1, 60)) +
                     ".0";
  m->smtp_id =
      "<" + m->msg_id + "@ismtpd0" + std::to_string(Range(100, 199)) + "p1mdw1.sendgrid.net>";
  const std::string uid = std::to_string(kSendGridUserId);
  const std::string sending_ip =
      "167.89." + std::to_string(Range(1, 120)) + "." + std::to_string(Range(1, 254));

  struct Pending {
    int64_t ts;
    Event e;
  };
  std::vector<Pending> out;
  auto add = [&](SimEventKind kind, int64_t ts, const Fields& f) {
    out.push_back({ts, MakeEvent(*m, kind, ts, f)});
  };

  Fields processed;
  processed.sg_event_id = Base64Url("processed-" + uid + "-" + m->msg_id + "-0");
  add(SimEventKind::kProcessed, t0, processed);

  double outcome = static_cast<double>(Next() >> 11) * 0x1.0p-53;
  if (outcome < 0.015) {
    Fields f;
    f.reason = kDropReasons[Below(std::size(kDropReasons))];
    f.sg_event_id = Base64Url("drop-" + uid + "-" + m->msg_id + "-0");
    add(SimEventKind::kDropped, t0 + Range(0, 2), f);
  } else if (outcome < 0.05) {
    bool hard = outcome < 0.035;
    Fields f;
    f.type = hard ? "bounce" : "blocked";
    f.bounce_classification = hard ? "Invalid Address" : "Reputation";
    f.reason = hard ? "550 5.1.1 The email account that you tried to reach does not exist."
                    : "554 5.7.1 Service unavailable; client host blocked using Spamhaus";
    f.status = hard ? "5.1.1" : "5.7.1";
    f.tls = 1;
    f.ip = sending_ip;
    f.sg_event_id = Base64Url("bounce-0-" + uid + "-" + m->msg_id + "-0");
    add(hard ? SimEventKind::kBounce : SimEventKind::kBlocked, t0 + Range(1, 30), f);
  } else {
    int64_t t = t0;
    if (Chance(0.08)) {
      int deferrals = static_cast<int>(Range(1, 3));
      for (int a = 1; a <= deferrals; ++a) {
        t += Range(60, 900);
        Fields f;
        f.attempt = std::to_string(a);  // a string, as SendGrid sends it
        f.reason = "421 4.7.0 Try again later, closing connection.";
        f.response = f.reason;
        f.ip = sending_ip;
        f.sg_event_id = Base64Url("deferred-" + f.attempt + "-" + uid + "-" + m->msg_id + "-0");
        add(SimEventKind::kDeferred, t, f);
      }
    }
    const int64_t td = t + Range(1, 30);
    Fields delivered;
    delivered.response = "250 2.0.0 OK";
    delivered.tls = Chance(0.95) ? 1 : 0;
    delivered.ip = sending_ip;
    delivered.sg_event_id = Base64Url("delivered-0-" + uid + "-" + m->msg_id + "-0");
    add(SimEventKind::kDelivered, td, delivered);

    auto engagement = [&](Fields& f) {
      f.ip = "198.51.100." + std::to_string(Range(1, 254));
      f.useragent = kUserAgents[Below(std::size(kUserAgents))];
    };
    if (Chance(0.35)) {
      int opens = static_cast<int>(Range(1, 4));
      bool apple = Chance(0.40);  // Apple Mail Privacy Protection prefetches
      for (int i = 0; i < opens; ++i) {
        Fields f;
        bool machine = apple && (i == 0 || Chance(0.5));
        f.machine_open = machine;
        if (machine) {
          f.ip = "17.58." + std::to_string(Range(0, 255)) + "." + std::to_string(Range(1, 254));
          f.useragent = "Mozilla/5.0";
        } else {
          engagement(f);
        }
        add(SimEventKind::kOpen, machine && i == 0 ? td + Range(1, 60) : td + Range(30, 7200), f);
      }
    }
    if (Chance(0.10)) {
      int clicks = static_cast<int>(Range(1, 3));
      int distinct = static_cast<int>(Range(1, clicks));
      std::vector<int> order(c.urls.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
      for (int i = 0; i < distinct; ++i) std::swap(order[i], order[i + Below(order.size() - i)]);
      for (int i = 0; i < clicks; ++i) {
        Fields f;
        engagement(f);
        f.url_index = order[i < distinct ? static_cast<size_t>(i) : Below(distinct)];
        f.url = c.urls[f.url_index];
        f.url_type = Chance(0.9) ? "html" : "text";
        add(SimEventKind::kClick, td + Range(60, 7200), f);
      }
    }
    if (Chance(0.003)) {
      Fields f;
      f.missing_id = Chance(options_.missing_id_fraction);
      add(SimEventKind::kUnsubscribe, td + Range(120, 7200), f);
    }
    if (Chance(0.002)) {
      Fields f;
      engagement(f);
      f.url = "https://u.example.com/asm/unsubscribe?group=" + std::to_string(c.asm_group_id);
      f.asm_group_id = c.asm_group_id;
      f.missing_id = Chance(options_.missing_id_fraction);
      int64_t t_unsub = td + Range(120, 7200);
      add(SimEventKind::kGroupUnsubscribe, t_unsub, f);
      if (Chance(0.25)) {
        f.url = "https://u.example.com/asm/resubscribe?group=" + std::to_string(c.asm_group_id);
        f.missing_id = Chance(options_.missing_id_fraction);
        add(SimEventKind::kGroupResubscribe, t_unsub + Range(60, 3600), f);
      }
    }
    if (Chance(0.0005)) add(SimEventKind::kSpamReport, td + Range(300, 7200), Fields{});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Pending& a, const Pending& b) { return a.ts < b.ts; });
  for (Pending& p : out) m->events.push_back(std::move(p.e));
  window_.push_back(std::move(m));
}

void TrafficGenerator::RecordFirstSend(Message& m, const Event& e) {
  TruthEvent t;
  t.kind = e.kind;
  t.machine_open = e.machine_open;
  if (e.kind == SimEventKind::kOpen) {
    t.first_open = !m.opened;
    m.opened = true;
    if (!e.machine_open) {
      t.first_human_open = !m.human_opened;
      m.human_opened = true;
    }
  } else if (e.kind == SimEventKind::kClick) {
    t.url = campaigns_[m.campaign].urls[e.url];
    t.first_click = !m.clicked;
    m.clicked = true;
    t.first_click_on_url = !m.clicked_url[e.url];
    m.clicked_url[e.url] = true;
  }
  truth_.RecordDistinct(campaigns_[m.campaign].id, t);
}

bool TrafficGenerator::TakeFresh(Event* out) {
  if (fresh_emitted_ >= options_.total_events) return false;
  while (window_.size() < window_size_) StartMessage();
  size_t idx = Below(window_.size());
  Message& m = *window_[idx];
  size_t pos = (m.events.size() >= 2 && Chance(kSwapNeighbours)) ? 1 : 0;
  *out = std::move(m.events[pos]);
  m.events.erase(m.events.begin() + static_cast<std::ptrdiff_t>(pos));
  RecordFirstSend(m, *out);
  if (m.events.empty()) {
    window_[idx] = std::move(window_.back());
    window_.pop_back();
  }
  ++fresh_emitted_;
  return true;
}

std::optional<SimBatch> TrafficGenerator::NextBatch() {
  const size_t limit = static_cast<size_t>(options_.batch_size);
  ++batch_index_;
  std::vector<std::string> fresh, dups;
  auto take_resends = [&](bool only_due) {
    while (!resends_.empty() && dups.size() < limit) {
      auto it = resends_.begin();
      if (only_due && it->first > batch_index_) break;
      while (!it->second.empty() && dups.size() < limit) {
        dups.push_back(std::move(it->second.back()));
        it->second.pop_back();
      }
      if (it->second.empty()) resends_.erase(it);
    }
  };
  take_resends(/*only_due=*/true);
  Event e;
  while (fresh.size() + dups.size() < limit && TakeFresh(&e)) {
    if (e.missing_id || Chance(options_.duplicate_fraction)) {
      resends_[batch_index_ + 1 + static_cast<int64_t>(Below(4))].push_back(e.json);
    }
    fresh.push_back(std::move(e.json));
  }
  if (fresh.empty() && dups.empty()) take_resends(/*only_due=*/false);  // final flush
  if (fresh.empty() && dups.empty()) return std::nullopt;

  // Re-sends land at random places; fresh events keep their order.
  std::vector<std::string> lines = std::move(fresh);
  for (std::string& d : dups) {
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(Below(lines.size() + 1)),
                 std::move(d));
  }
  SimBatch batch;
  batch.events = static_cast<int64_t>(lines.size());
  batch.duplicates = static_cast<int64_t>(dups.size());
  size_t bytes = 4;
  for (const std::string& l : lines) bytes += l.size() + 3;
  batch.body.reserve(bytes);
  batch.body.push_back('[');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) batch.body.append(",\r\n");
    batch.body.append(lines[i]);
  }
  batch.body.append("]\r\n");
  truth_.RecordSent(batch.events);
  return batch;
}

}  // namespace mailpulse
