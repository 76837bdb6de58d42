// Hand-made enriched records (docs/formats/event-record.md) for analytics tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "analytics/kpi_event.h"
#include "analytics/kpi_store.h"

namespace mailpulse::testing {

// 2026-01-01T00:00:00Z
inline constexpr int64_t kT0 = 1767225600000;
inline constexpr int64_t kMin = 60'000;

// An enriched record: `extra` is appended inside the object (",\"k\":v...").
inline std::string Record(const std::string& event, const std::string& msg, int64_t event_ms,
                          const std::string& extra = R"(,"singlesend_id":"ss1","singlesend_name":"Spring")") {
  std::string msg_json = msg.empty() ? "null" : "\"" + msg + "\"";
  std::string out = R"({"_mailpulse":{"received_ms":1,"webhook":"default","message_id":)" + msg_json +
                    R"(,"event_ms":)" + std::to_string(event_ms) + R"(},"event":")" + event + "\"";
  if (!msg.empty()) out += R"(,"sg_message_id":")" + msg + R"(.filter0001.1")";
  return out + extra + "}";
}

// Decodes and applies; fails the test when the record does not decode.
inline void ApplyRecord(KpiStore& store, KpiEventDecoder& decoder, const std::string& record) {
  KpiEvent e;
  Status st = decoder.Decode(record, &e);
  ASSERT_TRUE(st.ok()) << st.ToString() << " in " << record;
  store.Apply(e);
}

}  // namespace mailpulse::testing
