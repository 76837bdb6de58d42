#include "ingest/ingest_probe.h"

#include <string>

namespace mailpulse {

IngestProbe::IngestProbe(MetricsRegistry& metrics) {
  static constexpr std::array<const char*, kOutcomes> kOutcomeNames = {"accepted", "duplicate",
                                                                       "rejected"};
  for (int o = 0; o < kOutcomes; ++o) {
    for (size_t t = 0; t < kTypes.size(); ++t) {
      events_[o][t] =
          &metrics.GetCounter("mailpulse_events_total", "Webhook events by outcome and event type",
                              std::string("outcome=\"") + kOutcomeNames[o] + "\",type=\"" +
                                  std::string(kTypes[t]) + "\"");
    }
  }
  request_seconds_ = &metrics.GetHistogram("mailpulse_webhook_request_seconds",
                                           "Webhook request time from body read to answer");
  verify_seconds_ = &metrics.GetHistogram("mailpulse_webhook_verify_seconds",
                                          "Signature verification time per request");
  parse_seconds_ = &metrics.GetHistogram("mailpulse_webhook_parse_seconds",
                                         "Parse, validate, dedupe and encode time per request");
  failed_appends_ = &metrics.GetCounter("mailpulse_webhook_failed_appends_total",
                                        "Stream appends that failed (answered 503)");
}

size_t IngestProbe::TypeIndex(std::string_view type) {
  for (size_t i = 0; i + 1 < kTypes.size(); ++i) {
    if (kTypes[i] == type) return i;
  }
  return kTypes.size() - 1;
}

}  // namespace mailpulse
