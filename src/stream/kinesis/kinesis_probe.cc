#include "stream/kinesis/kinesis_probe.h"

namespace mailpulse {
namespace {

// Label values are stream names ([A-Za-z0-9_.-]), shard ids and AWS error
// codes; anything else is replaced so the exposition stays valid.
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out;
}

}  // namespace

KinesisProbe::KinesisProbe(MetricsRegistry* metrics, std::string stream)
    : own_(metrics == nullptr ? std::make_unique<MetricsRegistry>() : nullptr),
      m_(metrics == nullptr ? own_.get() : metrics),
      stream_label_("stream=\"" + LabelValue(stream) + "\"") {
  const std::string& l = stream_label_;
  put_requests_ = &m_->GetCounter("mailpulse_kinesis_put_records_requests_total",
                                  "PutRecords requests sent", l);
  put_request_errors_ = &m_->GetCounter("mailpulse_kinesis_put_records_request_errors_total",
                                        "PutRecords requests that failed as a whole", l);
  records_sent_ = &m_->GetCounter("mailpulse_kinesis_records_sent_total",
                                  "Records sent in PutRecords requests, retries included", l);
  records_acked_ = &m_->GetCounter("mailpulse_kinesis_records_acked_total",
                                   "Records Kinesis acknowledged with a sequence number", l);
  record_retries_ = &m_->GetCounter("mailpulse_kinesis_record_retries_total",
                                    "Records queued again after a failure (per record)", l);
  appends_failed_ = &m_->GetCounter("mailpulse_kinesis_appends_failed_total",
                                    "Appends answered with an error (ingest answered 503)", l);
  get_records_calls_ =
      &m_->GetCounter("mailpulse_kinesis_get_records_calls_total", "GetRecords calls", l);
  get_records_records_ = &m_->GetCounter("mailpulse_kinesis_get_records_records_total",
                                         "Records returned by GetRecords", l);
  iterator_refreshes_ =
      &m_->GetCounter("mailpulse_kinesis_iterator_refreshes_total",
                      "Shard iterators fetched again after ExpiredIteratorException", l);
  put_seconds_ = &m_->GetHistogram("mailpulse_kinesis_put_records_seconds",
                                   "Latency of one PutRecords request", l);
}

void KinesisProbe::CountFailedRecords(std::string_view error_code, uint64_t n) {
  Counter* c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = failed_.find(error_code);
    if (it == failed_.end()) {
      std::string code = LabelValue(error_code.empty() ? "unknown" : error_code);
      c = &m_->GetCounter("mailpulse_kinesis_failed_records_total",
                          "PutRecords entries that came back with an ErrorCode",
                          stream_label_ + ",code=\"" + code + "\"");
      failed_.emplace(std::string(error_code), c);
    } else {
      c = it->second;
    }
  }
  c->Inc(n);
}

Gauge& KinesisProbe::MillisBehindLatest(std::string_view shard_name) {
  return m_->GetGauge("mailpulse_kinesis_millis_behind_latest",
                      "GetRecords' MillisBehindLatest of the last call per shard",
                      stream_label_ + ",shard=\"" + LabelValue(shard_name) + "\"");
}

}  // namespace mailpulse
