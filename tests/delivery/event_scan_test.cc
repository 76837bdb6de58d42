// Delivery's fast path to the partition values (ScanEventFields) against the
// full parser: every record must format to the same FormattedRecord either
// way — simulator traffic, hand-written odd events, and random mutations of
// both (which mostly land on the fallback and check it is taken).
#include "delivery/event_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "delivery/lake_line.h"
#include "event/event.h"
#include "event/event_payload.h"
#include "event/webhook_body.h"
#include "sim/traffic.h"

namespace mailpulse {
namespace {

// The simulator's first send is 1767225600 s; a day later every event is in
// range and none is more than 7 days in the future.
constexpr UnixMillis kReceived = 1767225600000 + 86400000;

const char* kEnvelope =
    R"({"_mailpulse":{"received_ms":1767312000000,"webhook":"prod","message_id":"m1","event_ms":1767225600000},)";

class EventScanTest : public ::testing::Test {
 protected:
  // Formats `payload` both ways and expects identical results; returns
  // whether the fast path took it.
  bool ExpectSame(const std::string& payload, UnixMillis received = kReceived) {
    StreamRecord r;
    r.seq = SequenceNumber(7);
    r.arrival_ms = received;
    r.payload = payload;
    FormattedRecord fast_out, full_out;
    fast_.FormatEvent(r, &fast_out);
    full_.FormatEvent(r, &full_out);
    EXPECT_EQ(fast_out.error, full_out.error) << payload;
    EXPECT_EQ(fast_out.line, full_out.line) << payload;
    EXPECT_EQ(fast_out.values.arrival_ms, full_out.values.arrival_ms) << payload;
    EXPECT_EQ(fast_out.values.event_ms, full_out.values.event_ms) << payload;
    EXPECT_EQ(fast_out.values.error_output_type, full_out.values.error_output_type) << payload;
    for (size_t k = 0; k < kPartitionKeyCount; ++k) {
      EXPECT_EQ(fast_out.values.keys[k], full_out.values.keys[k]) << "key " << k << ": " << payload;
    }
    EventFields f;
    bool took = ScanEventFields(payload, received, &f);
    std::string line;
    std::string_view webhook;
    if (took && FlattenEnvelope(payload, &line, &webhook)) {
      EXPECT_FALSE(full_out.error) << payload;
    }
    return took;
  }

  LakeLineFormatter fast_{true};
  LakeLineFormatter full_{false};
};

// Simulator traffic, enriched exactly as ingest enriches it.
std::vector<std::string> TrafficPayloads(int64_t events) {
  TrafficOptions to;
  to.campaigns = 7;
  to.total_events = events;
  to.batch_size = 200;
  std::vector<std::string> out;
  TrafficGenerator gen(to);
  std::vector<BodyElement> elements;
  while (auto batch = gen.NextBatch()) {
    std::string body = std::move(batch->body);
    ReserveBodyPadding(body);
    EXPECT_TRUE(ParseWebhookBody(body, kReceived, &elements).ok());
    for (const BodyElement& el : elements) {
      if (el.reject_reason) continue;
      std::string payload;
      AppendEnrichedPayload(payload, el.fields, el.raw, kReceived, "default");
      out.push_back(std::move(payload));
    }
  }
  return out;
}

TEST_F(EventScanTest, SimulatorTrafficMatchesTheFullParser) {
  std::vector<std::string> payloads = TrafficPayloads(20000);
  ASSERT_GT(payloads.size(), 20000u);
  size_t fast = 0;
  for (const std::string& p : payloads) fast += ExpectSame(p) ? 1 : 0;
  // Escaped strings in the fields read (none in the simulator's) are the
  // only reason for a valid event to fall back.
  EXPECT_EQ(fast, payloads.size());
}

TEST_F(EventScanTest, OddEventsMatchTheFullParser) {
  const std::string base = R"("event":"open","timestamp":1767225600)";
  struct Case {
    std::string rest;  // after the envelope
    bool fast;         // expected path
  };
  const std::vector<Case> cases = {
      // category
      {base + R"(,"category":["promo","x"]})", true},
      {base + R"(,"category":"promo"})", true},
      {base + R"(,"category":[]})", true},
      {base + R"(,"category":[ "a" , "b" ] })", true},
      {base + R"(,"category":[1,"b"]})", true},
      {base + R"(,"category":[["a"],"b"]})", true},
      {base + R"(,"category":null})", true},
      {base + R"(,"category":{"a":"b"}})", true},
      {base + R"(,"category":"pr\"omo"})", false},
      {base + R"(,"category":["pr\u006fmo"]})", false},
      {base + R"(,"category":["a","b\"c"]})", true},
      // campaign
      {base + R"(})", true},
      {base + R"(,"marketing_campaign_id":42})", true},
      {base + R"(,"marketing_campaign_id":-42.50})", true},
      {base + R"(,"marketing_campaign_id":"c-1","singlesend_id":"s-1"})", true},
      {base + R"(,"singlesend_id":"s-1"})", true},
      {base + R"(,"singlesend_id":7})", true},
      {base + R"(,"marketing_campaign_id":"","singlesend_id":"s-1"})", true},
      {base + R"(,"marketing_campaign_id":null,"singlesend_id":"s-1"})", true},
      {base + R"(,"marketing_campaign_id":true})", true},
      {base + R"(,"marketing_campaign_id":[1]})", true},
      {base + R"(,"marketing_campaign_id":{"id":1}})", true},
      {base + R"(,"marketing_campaign_id":1e3})", false},
      {base + R"(,"marketing_campaign_id":"a\/b"})", false},
      {base + R"(,"singlesend_id":12345678901234567890123})", false},
      // escapes and unicode elsewhere
      {base + R"(,"url":"http:\/\/x\u003c\u003e","email":"\"a\"@x"})", true},
      {base + R"(,"ua":"\b\f\n\r\t\\"})", true},
      {base + R"(,"n":"\u0000"})", true},
      {base + R"(,"smile":"\ud83d\ude00"})", false},
      {base + R"(,"lone":"\ud800"})", false},
      {base + R"(,"lone":"\udc00x"})", false},
      {base + R"(,"bad":"\x"})", false},
      {base + R"(,"bad":"\u12G4"})", false},
      {base + R"(,"bad":"\u12"})", false},
      {base + ",\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", true},
      {base + ",\"name\":\"caf\xc3\x28\"}", false},
      {base + ",\"name\":\"\xed\xa0\x80\"}", false},
      {base + ",\"name\":\"\xff\"}", false},
      {base + ",\"tab\":\"a\tb\"}", false},
      {base + ",\"ctl\":\"a\x01\"}", false},
      {base + ",\xc3\xa9:1}", false},
      // event
      {R"("event":"Open","timestamp":1767225600})", true},
      {R"("event":"","timestamp":1767225600})", false},
      {R"("event":null,"timestamp":1767225600})", false},
      {R"("event":5,"timestamp":1767225600})", false},
      {R"("event":["open"],"timestamp":1767225600})", false},
      {R"("timestamp":1767225600})", false},
      {R"("event":"op\u0065n","timestamp":1767225600})", false},
      {R"("ev\u0065nt":"open","timestamp":1767225600})", false},
      {R"("event":"open","ev\u0065nt":"open","timestamp":1767225600})", false},
      {R"("event":"ÖFFNEN","timestamp":1767225600})", true},
      // timestamp
      {R"("event":"open","timestamp":"1767225600"})", true},
      {R"("event":"open","timestamp":"01767225600"})", true},
      {R"("event":"open","timestamp":1767225600123})", true},
      {R"("event":"open","timestamp":"1767225600123"})", true},
      {R"("event":"open","timestamp":1767225600.0})", false},
      {R"("event":"open","timestamp":1.7672256e9})", false},
      {R"("event":"open","timestamp":"1767225600.5"})", false},
      {R"("event":"open","timestamp":"-1"})", false},
      {R"("event":"open","timestamp":-1})", false},
      {R"("event":"open","timestamp":""})", false},
      {R"("event":"open","timestamp":"abc"})", false},
      {R"("event":"open","timestamp":"17672256\u0030"})", false},
      {R"("event":"open","timestamp":null})", false},
      {R"("event":"open","timestamp":[1767225600]})", false},
      {R"("event":"open","timestamp":1000})", false},
      {R"("event":"open","timestamp":99999999999})", false},
      {R"("event":"open","timestamp":1234567890123456789})", false},
      {R"("event":"open","timestamp":"1234567890123456789"})", false},
      {R"("event":"open","timestamp":1867225600})", false},
      {R"("event":"open","timestamp":0)", false},
      // duplicates
      {R"("event":"open","event":"click","timestamp":1767225600})", false},
      {R"("event":"open","timestamp":1767225600,"timestamp":1767225601})", false},
      {base + R"(,"sg_event_id":"a","sg_event_id":"b"})", false},
      {base + R"(,"category":"a","category":"b"})", false},
      {base + R"(,"pool":{"id":1},"pool":{"id":2}})", false},
      {base + R"(,"x":1,"x":2})", true},
      {base + R"(,"nested":{"event":"click","timestamp":"x"}})", true},
      {base + R"(,"pool":{"name":"p","id":"7"},"sg_machine_open":"true","attempt":"3"})", true},
      // numbers and literals
      {base + R"(,"n":[0,-0,1.5,-0.25,123456789012345678]})", true},
      {base + R"(,"n":1234567890123456789})", false},
      {base + R"(,"n":123456789012345678901234567890})", false},
      {base + R"(,"n":1e400})", false},
      {base + R"(,"n":01})", false},
      {base + R"(,"n":1.})", false},
      {base + R"(,"n":.5})", false},
      {base + R"(,"n":-})", false},
      {base + R"(,"n":+1})", false},
      {base + R"(,"n":1x})", false},
      {base + R"(,"n":0.123456789012345678901})", false},
      {base + R"(,"b":[true,false,null]})", true},
      {base + R"(,"b":tru})", false},
      {base + R"(,"b":nulll})", false},
      {base + R"(,"b":True})", false},
      // structure
      {base + R"(} )", true},
      {base + "}\r\n", true},
      {base + R"(}})", false},
      {base + R"(},{"a":1})", false},
      {base, false},
      {base + R"(,})", false},
      {base + R"(,"a"})", false},
      {base + R"(,"a":})", false},
      {base + R"(,"a" 1})", false},
      {base + R"(,"a":1,,"b":2})", false},
      {base + R"(,"a":[1,]})", false},
      {base + R"(,"a":[1 2]})", false},
      {base + R"(,"a":{"b":1,}})", false},
      {base + R"(,"a":{1:2}})", false},
      {base + R"(,"a":'x'})", false},
      {base + "\r\n,\t\"a\" :\n[ 1 ,\r{ } ]\n}", true},
      {base + R"(,"deep":)" + std::string(31, '[') + std::string(31, ']') + "}", true},
      {base + R"(,"deep":)" + std::string(40, '[') + std::string(40, ']') + "}", false},
      {base + R"(,"deep":)" + std::string(70, '[') + std::string(70, ']') + "}", false},
      {base + R"(,"deep":)" + std::string(40, '[') + std::string(39, ']') + "}", false},
  };
  for (const Case& c : cases) {
    std::string payload = std::string(kEnvelope) + c.rest;
    EXPECT_EQ(ExpectSame(payload), c.fast) << c.rest;
  }
  // Every position of a stop byte inside a string, across 8-byte words.
  for (size_t len = 1; len <= 20; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (std::string stop : {"\\\"", "\\u00e9", "\t", "\x01", "\xc3\xa9", "\xc3", "\x7f"}) {
        std::string value(len, 'a');
        value.replace(at, 1, stop);
        const bool fast = stop != "\t" && stop != "\x01" && stop != "\xc3";
        EXPECT_EQ(ExpectSame(std::string(kEnvelope) + base + R"(,"s":")" + value + R"("})"), fast)
            << len << " " << at << " " << stop;
      }
    }
  }
  // Without the envelope, or with a broken one: FlattenEnvelope decides first.
  ExpectSame(R"({"event":"open","timestamp":1767225600})");
  ExpectSame(R"({"_mailpulse":{"webhook":"w"},"event":"open","timestamp":1767225600})");
  ExpectSame(
      R"({"_mailpulse":{"webhook":"w","x":[1,{"a":"}"}]},"event":"open","timestamp":1767225600})");
  ExpectSame(R"({"_mailpulse":{"webhook":1e999},"event":"open","timestamp":1767225600})");
  ExpectSame(R"({"_mailpulse":{"webhook":"w"}})");
  ExpectSame(R"({"_mailpulse":{}})");
}

// Random edits of valid payloads: most break them somewhere, and the
// breakage must be noticed (fall back) or be harmless (same values).
TEST_F(EventScanTest, MutatedPayloadsMatchTheFullParser) {
  std::vector<std::string> payloads = TrafficPayloads(3000);
  const std::vector<std::string> hand = {
      R"("event":"open","timestamp":"1767225600","category":["a","b"],"marketing_campaign_id":12})",
      R"("timestamp":1767225600123,"event":"click","category":"c","singlesend_id":"s","url":"u"})",
      R"("event":"bounce","timestamp":1767225600,"pool":{"id":1,"name":"p"},"n":[1.5,true,null]})",
  };
  for (const std::string& h : hand) payloads.push_back(std::string(kEnvelope) + h);
  const std::vector<std::string> snippets = {
      "\"",
      "\\",
      "\\\"",
      "\\u00e9",
      "\\ud800",
      "\\n",
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      " ",
      "\n",
      "\t",
      "\x01",
      "\x80",
      "\xc3\xa9",
      "\xff",
      "0",
      "1",
      "-",
      ".",
      "e",
      "E",
      "+",
      "true",
      "null",
      ",\"event\":\"x\"",
      ",\"timestamp\":1",
      ",\"category\":[\"z\"]",
      ",\"singlesend_id\":9",
      ",\"marketing_campaign_id\":\"m\"",
      "1e5",
      "01",
      "\"event\"",
      "\"timestamp\"",
      "\"x\":",
  };
  std::mt19937_64 rng(42);
  auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
  size_t fast = 0, total = 0;
  for (size_t i = 0; i < payloads.size(); i += 3) {
    const std::string& original = payloads[i];
    for (int m = 0; m < 8; ++m) {
      std::string p = original;
      int edits = 1 + static_cast<int>(pick(3));
      for (int e = 0; e < edits && !p.empty(); ++e) {
        size_t at = pick(p.size() + 1);
        switch (pick(4)) {
          case 0:
            p.insert(at, snippets[pick(snippets.size())]);
            break;
          case 1:
            if (at < p.size()) p.erase(at, 1 + pick(3));
            break;
          case 2:
            if (at < p.size()) p[at] = snippets[pick(snippets.size())][0];
            break;
          default:
            p.resize(at);
            break;
        }
      }
      fast += ExpectSame(p) ? 1 : 0;
      ++total;
      if (HasFailure()) return;  // one payload's report is enough
    }
  }
  // Some edits are harmless (inside unrelated strings): both paths are hit.
  EXPECT_GT(fast, total / 20);
  EXPECT_LT(fast, total);
}

}  // namespace
}  // namespace mailpulse
