#include "query/lake_query.h"

#include "query/timestamp.h"

namespace mailpulse::query {

// Forwards records to the output writer unless the run was cancelled.
// (The executor is built, and the statement validated, before the writer
// exists: Run attaches it.)
class LakeQuery::Sink final : public RecordSink {
 public:
  void Attach(OutputWriter* writer, const std::atomic<bool>* cancelled) {
    writer_ = writer;
    cancelled_ = cancelled;
  }
  Status Write(const Record& record) override {
    if (cancelled_ != nullptr && cancelled_->load(std::memory_order_relaxed)) {
      return Status::Fail("cancelled");
    }
    return writer_->Write(record);
  }

 private:
  OutputWriter* writer_ = nullptr;
  const std::atomic<bool>* cancelled_ = nullptr;
};

LakeQuery::LakeQuery() = default;
LakeQuery::~LakeQuery() = default;

std::string StaticPrefix(const std::string& prefix_template) {
  std::string p = prefix_template.substr(0, prefix_template.find("!{"));
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash + 1);
}

Result<std::unique_ptr<LakeQuery>> LakeQuery::Prepare(const LakeQuerySpec& spec,
                                                      const LakeQueryConfig& config,
                                                      UnixMillis now) {
  std::unique_ptr<LakeQuery> q(new LakeQuery());
  q->spec_ = spec;
  q->config_ = config;
  q->prefix_ = spec.prefix.value_or(config.default_prefix);
  MP_ASSIGN_OR_RETURN(q->statement_, ParseQuery(spec.sql));
  q->options_.limits = config.limits;
  q->options_.now = TimestampFromEpoch(now / 1000, static_cast<int>(now % 1000) * 1'000'000, 0,
                                       true, TsPrecision::kFraction, 3);
  q->pruner_ = PartitionPruner::FromQuery(q->statement_);
  q->pruner_.SetTimeRange(spec.since, spec.until);
  q->projection_ = ProjectionOf(q->statement_);
  q->sink_ = std::make_unique<Sink>();
  MP_ASSIGN_OR_RETURN(q->executor_,
                      QueryExecutor::Create(&q->statement_, q->options_, q->sink_.get()));
  return q;
}

Result<ScanStats> LakeQuery::Run(ObjectStore& store, OutputWriter::WriteFn write,
                                 const std::atomic<bool>* cancelled,
                                 std::function<void(const ScanStats&)> progress) {
  OutputWriter writer(spec_.output, std::move(write), config_.limits.max_buffered_rows);
  sink_->Attach(&writer, cancelled);
  LakeScanOptions so;
  so.prefix = prefix_;
  so.csv_header = spec_.csv_header;
  so.threads = config_.threads;
  so.projection = projection_ ? &*projection_ : nullptr;
  so.progress = std::move(progress);
  MP_ASSIGN_OR_RETURN(ScanStats stats, ScanLake(store, so, pruner_, *executor_));
  MP_RETURN_IF_ERROR(executor_->Finish());
  writer.Finish();
  return stats;
}

}  // namespace mailpulse::query
