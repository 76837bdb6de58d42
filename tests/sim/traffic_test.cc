#include "sim/traffic.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace mailpulse {
namespace {

std::vector<SimBatch> Drain(TrafficGenerator& gen) {
  std::vector<SimBatch> out;
  while (auto b = gen.NextBatch()) out.push_back(std::move(*b));
  return out;
}

// Splits a SendGrid body into its event lines. Safe because JSON strings
// never hold a raw CR LF.
std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> lines;
  std::string inner = body.substr(1, body.size() - 4);  // strip "[" and "]\r\n"
  size_t start = 0;
  for (;;) {
    size_t p = inner.find(",\r\n", start);
    if (p == std::string::npos) {
      lines.push_back(inner.substr(start));
      return lines;
    }
    lines.push_back(inner.substr(start, p - start));
    start = p + 3;
  }
}

std::string Str(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

TrafficOptions SmallRun() {
  TrafficOptions o;
  o.seed = 42;
  o.campaigns = 3;
  o.total_events = 3000;
  o.batch_size = 50;
  return o;
}

TEST(SimTrafficTest, SameSeedSameBytes) {
  TrafficGenerator a(SmallRun()), b(SmallRun());
  std::vector<SimBatch> ba = Drain(a), bb = Drain(b);
  ASSERT_EQ(ba.size(), bb.size());
  for (size_t i = 0; i < ba.size(); ++i) EXPECT_EQ(ba[i].body, bb[i].body) << "batch " << i;
  EXPECT_EQ(a.truth().ToJson(), b.truth().ToJson());

  TrafficOptions other = SmallRun();
  other.seed = 43;
  TrafficGenerator c(other);
  EXPECT_NE(c.NextBatch()->body, ba[0].body);
  EXPECT_NE(c.campaigns()[0].id, a.campaigns()[0].id);
}

TEST(SimTrafficTest, SendGridFraming) {
  TrafficGenerator gen(SmallRun());
  simdjson::dom::parser parser;
  int64_t lines_total = 0;
  for (const SimBatch& b : Drain(gen)) {
    ASSERT_EQ(b.body.front(), '[');
    ASSERT_EQ(b.body.substr(b.body.size() - 3), "]\r\n");
    EXPECT_LE(b.events, 50);
    if (b.events > 1) {
      EXPECT_NE(b.body.find("},\r\n{"), std::string::npos);
    }
    // Compact, escaped like SendGrid: no spaces between tokens, no raw <, >.
    EXPECT_EQ(b.body.find("\": "), std::string::npos);
    EXPECT_EQ(b.body.find('<'), std::string::npos);
    EXPECT_EQ(b.body.find('>'), std::string::npos);
    EXPECT_NE(b.body.find("\"smtp-id\":\"\\u003c"), std::string::npos);
    simdjson::dom::array arr;
    ASSERT_EQ(parser.parse(b.body).get_array().get(arr), simdjson::SUCCESS) << b.body;
    EXPECT_EQ(static_cast<int64_t>(arr.size()), b.events);
    EXPECT_EQ(static_cast<int64_t>(Lines(b.body).size()), b.events);
    lines_total += b.events;
  }
  EXPECT_EQ(lines_total, gen.truth().events_sent());
  EXPECT_EQ(gen.truth().events_distinct(), 3000);
}

// Recomputes the truth from the bodies alone, deduplicating the way the
// product must (sg_event_id, else a fallback key), and compares.
TEST(SimTrafficTest, TruthMatchesIndependentRecount) {
  TrafficGenerator gen(SmallRun());
  std::vector<SimBatch> batches = Drain(gen);
  simdjson::dom::parser parser;
  std::set<std::string> seen;
  std::map<std::string, CampaignCounts> expect;
  std::map<std::string, int64_t> by_type;
  std::set<std::string> opened, human_opened, clicked, clicked_url;
  int64_t distinct = 0, sent = 0;
  for (const SimBatch& b : batches) {
    for (const std::string& line : Lines(b.body)) {
      ++sent;
      simdjson::dom::element e = parser.parse(line);
      std::string event = Str(e, "event"), msg = Str(e, "sg_message_id");
      std::string id = Str(e, "sg_event_id");
      std::string key = !id.empty() ? id
                                    : "fallback|" + msg + "|" + event + "|" +
                                          simdjson::minify(e["timestamp"]) + "|" + Str(e, "email") +
                                          "|" + Str(e, "url");
      if (!seen.insert(key).second) continue;
      ++distinct;
      ++by_type[event];
      CampaignCounts& c = expect[Str(e, "singlesend_id")];
      std::string type = Str(e, "type");
      if (event == "processed") ++c.processed;
      if (event == "delivered") ++c.delivered;
      if (event == "deferred") ++c.deferred;
      if (event == "bounce" && type == "bounce") ++c.bounces;
      if (event == "bounce" && type == "blocked") ++c.blocks;
      if (event == "dropped") ++c.dropped;
      if (event == "unsubscribe") ++c.unsubscribes;
      if (event == "group_unsubscribe") ++c.group_unsubscribes;
      if (event == "group_resubscribe") ++c.group_resubscribes;
      if (event == "spamreport") ++c.spam_reports;
      if (event == "open") {
        bool machine = bool(e["sg_machine_open"]);
        ++c.opens;
        if (machine) ++c.machine_opens;
        if (opened.insert(msg).second) ++c.unique_opens;
        if (!machine && human_opened.insert(msg).second) ++c.human_unique_opens;
      }
      if (event == "click") {
        std::string url = Str(e, "url");
        ++c.clicks;
        if (clicked.insert(msg).second) ++c.unique_clicks;
        ++c.links[url].clicks;
        if (clicked_url.insert(msg + " " + url).second) ++c.links[url].unique_clicks;
      }
    }
  }
  const Truth& t = gen.truth();
  EXPECT_EQ(t.events_distinct(), distinct);
  EXPECT_EQ(t.events_sent(), sent);
  EXPECT_GT(sent, distinct);
  EXPECT_EQ(t.events_by_type(), by_type);
  ASSERT_EQ(t.campaigns().size(), 3u);
  for (const auto& [id, got] : t.campaigns()) {
    CampaignCounts& want = expect[id];
    EXPECT_EQ(got.processed, want.processed) << id;
    EXPECT_EQ(got.delivered, want.delivered) << id;
    EXPECT_EQ(got.deferred, want.deferred) << id;
    EXPECT_EQ(got.bounces, want.bounces) << id;
    EXPECT_EQ(got.blocks, want.blocks) << id;
    EXPECT_EQ(got.dropped, want.dropped) << id;
    EXPECT_EQ(got.opens, want.opens) << id;
    EXPECT_EQ(got.unique_opens, want.unique_opens) << id;
    EXPECT_EQ(got.machine_opens, want.machine_opens) << id;
    EXPECT_EQ(got.human_unique_opens, want.human_unique_opens) << id;
    EXPECT_EQ(got.clicks, want.clicks) << id;
    EXPECT_EQ(got.unique_clicks, want.unique_clicks) << id;
    EXPECT_EQ(got.unsubscribes, want.unsubscribes) << id;
    EXPECT_EQ(got.group_unsubscribes, want.group_unsubscribes) << id;
    EXPECT_EQ(got.group_resubscribes, want.group_resubscribes) << id;
    EXPECT_EQ(got.spam_reports, want.spam_reports) << id;
    ASSERT_EQ(got.links.size(), want.links.size()) << id;
    for (const auto& [url, l] : got.links) {
      EXPECT_EQ(l.clicks, want.links[url].clicks) << url;
      EXPECT_EQ(l.unique_clicks, want.links[url].unique_clicks) << url;
    }
    // Sanity: the run is not degenerate.
    EXPECT_GT(got.processed, 0);
    EXPECT_GT(got.opens, got.unique_opens);
    EXPECT_GT(got.unique_opens, 0);
  }
  // The truth JSON carries the same numbers.
  simdjson::dom::element doc = parser.parse(t.ToJson());
  EXPECT_EQ(int64_t(doc["events_distinct"]), distinct);
  EXPECT_EQ(int64_t(doc["events_sent"]), sent);
  for (const auto& [id, want] : expect) {
    simdjson::dom::element c = doc["campaigns"][id];
    EXPECT_EQ(int64_t(c["processed"]), want.processed);
    EXPECT_EQ(int64_t(c["human_unique_opens"]), want.human_unique_opens);
    EXPECT_EQ(int64_t(c["unique_clicks"]), want.unique_clicks);
    for (const auto& [url, l] : want.links) {
      EXPECT_EQ(int64_t(c["links"][url]["unique_clicks"]), l.unique_clicks) << url;
    }
  }
}

TEST(SimTrafficTest, DuplicatesKeepTheirIdAndComeLater) {
  TrafficGenerator gen(SmallRun());
  std::vector<SimBatch> batches = Drain(gen);
  simdjson::dom::parser parser;
  std::map<std::string, std::pair<size_t, std::string>> first;  // id -> (batch, line)
  int64_t dups = 0, reported = 0;
  for (size_t bi = 0; bi < batches.size(); ++bi) {
    reported += batches[bi].duplicates;
    for (const std::string& line : Lines(batches[bi].body)) {
      std::string id = Str(parser.parse(line), "sg_event_id");
      ASSERT_FALSE(id.empty());  // missing ids are off by default at this size
      auto [it, inserted] = first.emplace(id, std::make_pair(bi, line));
      if (inserted) continue;
      ++dups;
      EXPECT_GT(bi, it->second.first) << "a duplicate must come in a later batch";
      EXPECT_EQ(line, it->second.second) << "a duplicate is byte-identical";
    }
  }
  EXPECT_EQ(dups, reported);
  EXPECT_EQ(dups, gen.truth().events_sent() - gen.truth().events_distinct());
  EXPECT_GT(dups, 3000 * 3 / 100);  // ~5% by default
  EXPECT_LT(dups, 3000 * 7 / 100);

  TrafficOptions none = SmallRun();
  none.duplicate_fraction = 0;
  TrafficGenerator clean(none);
  Drain(clean);
  EXPECT_EQ(clean.truth().events_sent(), clean.truth().events_distinct());
}

TEST(SimTrafficTest, MissingEventIdsWhenEnabled) {
  TrafficOptions o = SmallRun();
  o.total_events = 20000;
  o.batch_size = 200;
  o.duplicate_fraction = 0;
  o.missing_id_fraction = 1.0;
  TrafficGenerator gen(o);
  simdjson::dom::parser parser;
  std::map<std::string, std::vector<size_t>> missing;  // line -> batches it was in
  size_t bi = 0;
  while (auto b = gen.NextBatch()) {
    for (const std::string& line : Lines(b->body)) {
      simdjson::dom::element e = parser.parse(line);
      if (!Str(e, "sg_event_id").empty()) continue;
      std::string event = Str(e, "event");
      EXPECT_TRUE(event == "unsubscribe" || event == "group_unsubscribe" ||
                  event == "group_resubscribe")
          << event;
      missing[line].push_back(bi);
    }
    ++bi;
  }
  ASSERT_GT(missing.size(), 5u);
  for (const auto& [line, where] : missing) {
    ASSERT_EQ(where.size(), 2u) << "sent, then re-sent once: " << line;
    EXPECT_LT(where[0], where[1]);
  }
  EXPECT_EQ(gen.truth().events_sent() - gen.truth().events_distinct(),
            static_cast<int64_t>(missing.size()));
}

TEST(SimTrafficTest, ReproducesSendGridQuirks) {
  TrafficOptions o = SmallRun();
  o.total_events = 10000;
  TrafficGenerator gen(o);
  simdjson::dom::parser parser;
  std::set<std::string> delivered_msgs;
  int string_category = 0, array_category = 0, string_ts = 0, ms_ts = 0, machine = 0, human = 0;
  int attempt_strings = 0, open_before_delivered = 0, offsets = 0;
  std::set<std::string> message_ids;
  while (auto b = gen.NextBatch()) {
    for (const std::string& line : Lines(b->body)) {
      simdjson::dom::element e = parser.parse(line);
      std::string event = Str(e, "event"), msg = Str(e, "sg_message_id");
      EXPECT_EQ(msg.find('.'), 22u) << msg;
      EXPECT_EQ(msg.substr(22, 7), ".recvd-");
      message_ids.insert(msg.substr(0, 22));
      if (e["category"].is_string()) ++string_category;
      if (e["category"].is_array()) ++array_category;
      if (e["timestamp"].is_string()) ++string_ts;
      if (e["timestamp"].is_int64() && int64_t(e["timestamp"]) > 100000000000) ++ms_ts;
      if (event == "deferred") attempt_strings += e["attempt"].is_string();
      if (event == "open") (bool(e["sg_machine_open"]) ? machine : human)++;
      if (event == "click") offsets += e["url_offset"]["index"].is_int64();
      if (event == "delivered") delivered_msgs.insert(msg);
      if (event == "open" && !delivered_msgs.count(msg)) ++open_before_delivered;
      EXPECT_EQ(Str(e, "user_id").empty(), false);
    }
  }
  EXPECT_GT(string_category, 0);
  EXPECT_GT(array_category, 0);
  EXPECT_GT(string_ts, 0);
  EXPECT_GT(ms_ts, 0);
  EXPECT_GT(machine, 0);
  EXPECT_GT(human, 0);
  EXPECT_GT(attempt_strings, 0);
  EXPECT_GT(open_before_delivered, 0);
  EXPECT_GT(offsets, 0);
  // Outcome proportions over the processed messages.
  const auto& types = gen.truth().events_by_type();
  double processed = static_cast<double>(types.at("processed"));
  EXPECT_NEAR(types.at("delivered") / processed, 0.95, 0.02);
  EXPECT_NEAR(types.at("open") / static_cast<double>(types.at("delivered")), 0.35 * 2.5, 0.15);
}

}  // namespace
}  // namespace mailpulse
