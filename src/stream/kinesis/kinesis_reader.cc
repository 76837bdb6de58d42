#include "stream/kinesis/kinesis_reader.h"

#include <algorithm>

namespace mailpulse {
namespace {

const char* IteratorType(StartPosition::Kind kind) {
  switch (kind) {
    case StartPosition::Kind::kTrimHorizon:
      return "TRIM_HORIZON";
    case StartPosition::Kind::kLatest:
      return "LATEST";
    case StartPosition::Kind::kAtSequence:
      return "AT_SEQUENCE_NUMBER";
    case StartPosition::Kind::kAfterSequence:
      return "AFTER_SEQUENCE_NUMBER";
    case StartPosition::Kind::kAtTimestamp:
      return "AT_TIMESTAMP";
  }
  return "TRIM_HORIZON";
}

}  // namespace

KinesisReader::KinesisReader(KinesisClient* client, KinesisProbe* probe, std::string stream,
                             std::string shard_name, StartPosition start,
                             KinesisReaderOptions options)
    : client_(client),
      probe_(probe),
      stream_(std::move(stream)),
      shard_name_(std::move(shard_name)),
      start_(start),
      options_(std::move(options)),
      behind_(&probe->MillisBehindLatest(shard_name_)) {
  // A consumer that checkpointed SHARD_END has nothing left to read here.
  if (start_.kind == StartPosition::Kind::kAfterSequence && start_.seq.is_shard_end())
    at_end_ = true;
}

Status KinesisReader::EnsureIterator() {
  if (!iterator_.empty()) return Status::Ok();
  Result<std::string> it = Status::Fail("unset");
  if (!last_seq_.empty()) {
    it = client_->GetShardIterator(stream_, shard_name_, "AFTER_SEQUENCE_NUMBER", last_seq_, 0);
  } else {
    const bool by_seq = start_.kind == StartPosition::Kind::kAtSequence ||
                        start_.kind == StartPosition::Kind::kAfterSequence;
    if (by_seq && start_.seq.is_zero()) {
      // "After nothing" is the oldest record; "at 0" likewise.
      it = client_->GetShardIterator(stream_, shard_name_, "TRIM_HORIZON", "", 0);
    } else {
      it = client_->GetShardIterator(stream_, shard_name_, IteratorType(start_.kind),
                                     by_seq ? start_.seq.ToString() : std::string(),
                                     start_.timestamp);
    }
  }
  if (!it.ok()) return it.status();
  iterator_ = std::move(*it);
  return Status::Ok();
}

void KinesisReader::Pace() {
  if (!last_call_) return;
  auto elapsed = std::chrono::steady_clock::now() - *last_call_;
  auto wait = std::chrono::milliseconds(options_.min_call_interval_ms) - elapsed;
  if (wait > std::chrono::milliseconds(0))
    options_.sleep(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1);
}

Result<std::vector<StreamRecord>> KinesisReader::Read(size_t max_records, size_t /*max_bytes*/) {
  std::vector<StreamRecord> out;
  if (at_end_ || max_records == 0) return out;
  const int limit =
      static_cast<int>(std::min<size_t>(max_records, static_cast<size_t>(kGetRecordsMaxLimit)));
  for (int call = 0; call <= options_.empty_calls_while_behind; ++call) {
    MP_RETURN_IF_ERROR(EnsureIterator());
    Pace();
    bool expired = false;
    last_call_ = std::chrono::steady_clock::now();
    probe_->get_records_calls().Inc();
    MP_ASSIGN_OR_RETURN(GetRecordsOutput got,
                        client_->GetRecords(stream_, iterator_, limit, &expired));
    if (expired) {
      probe_->iterator_refreshes().Inc();
      iterator_.clear();
      continue;
    }
    if (got.millis_behind_latest >= 0) behind_->Set(got.millis_behind_latest);
    out.reserve(got.records.size());
    for (KinesisRecord& r : got.records) {
      std::optional<SequenceNumber> seq = SequenceNumber::FromDecimal(r.sequence_number);
      if (!seq) {
        return Status::Fail("kinesis GetRecords on " + stream_ + "/" + shard_name_ +
                            ": malformed SequenceNumber '" + r.sequence_number + "'");
      }
      last_seq_ = std::move(r.sequence_number);
      out.push_back(
          StreamRecord{*seq, r.arrival_ms, std::move(r.partition_key), std::move(r.data)});
    }
    probe_->get_records_records().Inc(out.size());
    if (!got.next_shard_iterator) {
      at_end_ = true;
      iterator_.clear();
      return out;
    }
    iterator_ = std::move(*got.next_shard_iterator);
    if (!out.empty() || got.millis_behind_latest <= 0) return out;
  }
  return out;
}

}  // namespace mailpulse
