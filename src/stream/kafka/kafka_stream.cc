#include "stream/kafka/kafka_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "common/clock.h"
#include "common/thread_name.h"
#include "stream/kafka/kafka_reader.h"

namespace mailpulse {

// One Append call: its callback runs when the last of its records is
// acknowledged or failed.
struct KafkaStream::PendingAppend {
  KafkaStream* stream = nullptr;
  std::chrono::steady_clock::time_point start;
  AppendCallback done;
  std::atomic<size_t> remaining{0};
  std::mutex mu;  // guards the fields below
  Status error;   // first failure
  int64_t first_offset = std::numeric_limits<int64_t>::max();
  int64_t last_offset = -1;
};

KafkaStream::KafkaStream(const KafkaStreamOptions& options) : opt_(options) {}

KafkaStream::~KafkaStream() {
  Close();
  if (rkt_ != nullptr) rd_kafka_topic_destroy(rkt_);
}

Result<std::unique_ptr<KafkaStream>> KafkaStream::Open(const KafkaStreamOptions& options) {
  if (options.topic.empty()) return Status::Invalid("kafka stream: no topic");
  std::unique_ptr<KafkaStream> s(new KafkaStream(options));
  MP_RETURN_IF_ERROR(s->Init(options.expected_partitions));
  return s;
}

Status KafkaStream::Init(uint32_t expected_partitions) {
  auto setup = [](rd_kafka_conf_t* conf, void*) {
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaStream::OnDelivery);
  };
  MP_ASSIGN_OR_RETURN(
      producer_, NewKafkaClient(RD_KAFKA_PRODUCER, url_,
                                {{"enable.idempotence", "true"},
                                 {"acks", "all"},
                                 {"linger.ms", std::to_string(url_.linger_ms)},
                                 // Bounded memory: during an outage at most this much waits in
                                 // the producer; beyond it appends fail at once (kRetry, 503).
                                 {"queue.buffering.max.kbytes", "262144"},
                                 {"message.timeout.ms", std::to_string(url_.delivery_timeout_ms)},
                                 // A Produce request that times out is resent; if the broker
                                 // had stored it, only its idempotence check keeps the copy
                                 // out. Time requests out only when their records fail anyway.
                                 {"request.timeout.ms", std::to_string(url_.delivery_timeout_ms)},
                                 // Topics are created by their operator with a deliberate
                                 // partition count (docs/kafka.md), never by a metadata request.
                                 {"allow.auto.create.topics", "false"}},
                                setup, nullptr));
  // All topics' metadata: a request naming the topic could create it on a
  // broker with auto.create.topics.enable (librdkafka's producer asks for
  // that whatever allow.auto.create.topics says).
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(producer_.get(), 1, nullptr, &md, url_.request_timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Retry("kafka brokers " + url_.brokers +
                         " did not answer a metadata request: " + rd_kafka_err2str(err));
  }
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  int count = 0;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic_ != md->topics[i].topic) continue;
    topic_err = md->topics[i].err;
    count = md->topics[i].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
      (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR && count == 0)) {
    return Status::Invalid(
        "kafka topic '" + topic_ + "' does not exist on " + url_.brokers +
        "; mailpulse does not create topics (the partition count fixes the shard mapping): "
        "create it first, e.g. kafka-topics.sh --bootstrap-server " +
        url_.brokers + " --create --topic " + topic_ + " --partitions " +
        std::to_string(expected_partitions ? expected_partitions : 4) + " --replication-factor 3");
  }
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(topic_err, "metadata of kafka topic '" + topic_ + "'");
  }
  partitions_ = static_cast<uint32_t>(count);
  partition_mu_ = std::make_unique<std::mutex[]>(partitions_);
  if (expected_partitions != 0 && expected_partitions != partitions_) {
    return Status::Invalid("kafka topic '" + topic_ + "' has " + std::to_string(partitions_) +
                           " partitions but partitions=" + std::to_string(expected_partitions) +
                           " was configured; the partition count of a topic in use cannot "
                           "change without remapping every message id");
  }
  rkt_ = rd_kafka_topic_new(producer_.get(), topic_.c_str(), nullptr);
  if (rkt_ == nullptr) {
    return KafkaStatus(rd_kafka_last_error(), "kafka topic handle for " + topic_);
  }
  checkpoints_ = std::make_unique<KafkaCheckpoints>(url_, topic_);
  if (MetricsRegistry* m = opt_.metrics) {
    std::string labels = "stream=\"" + opt_.metrics_name + "\"";
    append_seconds_ = &m->GetHistogram("mailpulse_stream_append_seconds",
                                       "Append latency, enqueue to durable callback.", labels);
    records_ = &m->GetCounter("mailpulse_stream_records_total", "Records made durable.", labels);
    append_failures_ = &m->GetCounter("mailpulse_stream_append_failures_total",
                                      "Appends that failed (the caller answers 503).", labels);
  }
  poller_ = std::thread([this] {
    SetThreadName("mp-kafka-poll");
    PollLoop();
  });
  spdlog::info("kafka stream {} on {}: {} partitions", topic_, url_.brokers, partitions_);
  return Status::Ok();
}

void KafkaStream::PollLoop() {
  while (!stop_polling_.load(std::memory_order_acquire)) rd_kafka_poll(producer_.get(), 100);
}

void KafkaStream::RecordDone(PendingAppend* p, const Status& st, int64_t offset) {
  {
    std::lock_guard lock(p->mu);
    if (!st.ok() && p->error.ok()) p->error = st;
    if (st.ok() && offset >= 0) {
      p->first_offset = std::min(p->first_offset, offset);
      p->last_offset = std::max(p->last_offset, offset);
    }
  }
  if (p->remaining.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::unique_ptr<PendingAppend> owned(p);
  KafkaStream* s = owned->stream;
  if (s->append_seconds_ != nullptr) {
    s->append_seconds_->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - owned->start).count());
  }
  if (!owned->error.ok() && s->append_failures_ != nullptr) s->append_failures_->Inc();
  if (owned->error.ok() && s->records_ != nullptr && owned->last_offset >= owned->first_offset) {
    s->records_->Inc(static_cast<uint64_t>(owned->last_offset - owned->first_offset + 1));
  }
  if (!owned->error.ok()) {
    owned->done(owned->error, SequenceNumber(), SequenceNumber());
    return;
  }
  // An acknowledged record without an offset (never seen with acks=all) is
  // reported as "unknown" sequence numbers, not as an error.
  bool known = owned->last_offset >= 0;
  owned->done(
      Status::Ok(),
      known ? SequenceNumber(static_cast<uint64_t>(owned->first_offset) + 1) : SequenceNumber(),
      known ? SequenceNumber(static_cast<uint64_t>(owned->last_offset) + 1) : SequenceNumber());
}

void KafkaStream::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
  auto* p = static_cast<PendingAppend*>(msg->_private);
  if (p == nullptr) return;
  Status st;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Whatever the cause, the caller's answer is the same: not durable, try
    // again (ingest answers 503 and SendGrid retries).
    Status k =
        KafkaStatus(msg->err, "kafka append to " + std::string(rd_kafka_topic_name(msg->rkt)) +
                                  "[" + std::to_string(msg->partition) + "]");
    st = Status::Retry(k.message());
  }
  RecordDone(p, st, msg->offset);
}

void KafkaStream::Append(ShardId shard, std::vector<AppendRecord> records, AppendCallback done) {
  if (records.empty()) {
    done(Status::Invalid("empty append"), SequenceNumber(), SequenceNumber());
    return;
  }
  if (shard.value() >= partitions_) {
    done(Status::Invalid("no partition " + std::to_string(shard.value()) + " in kafka topic " +
                         topic_),
         SequenceNumber(), SequenceNumber());
    return;
  }
  std::shared_lock lock(close_mu_);
  if (closed_) {
    done(Status::Retry("kafka stream " + topic_ + " is closed"), SequenceNumber(),
         SequenceNumber());
    return;
  }
  auto* p = new PendingAppend();
  p->stream = this;
  p->start = std::chrono::steady_clock::now();
  p->done = std::move(done);
  p->remaining.store(records.size());
  const UnixMillis now = Clock::System().NowMillis();
  const auto partition = static_cast<int32_t>(shard.value());
  // Queued back to back, the records of one call get consecutive offsets
  // (the idempotent producer keeps a partition's order).
  std::lock_guard order(partition_mu_[shard.value()]);
  for (const AppendRecord& r : records) {
    // No copy: the caller keeps the bytes valid until `done` has run, and
    // librdkafka is done with them when the delivery report fires.
    rd_kafka_resp_err_t err =
        rd_kafka_producev(producer_.get(), RD_KAFKA_V_RKT(rkt_), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_KEY(r.partition_key.data(), r.partition_key.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(r.payload.data()), r.payload.size()),
                          RD_KAFKA_V_TIMESTAMP(r.arrival_ms != 0 ? r.arrival_ms : now),
                          RD_KAFKA_V_OPAQUE(p), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      RecordDone(p, Status::Retry(KafkaStatus(err, "kafka append to " + topic_).message()), -1);
    }
  }
}

Result<std::unique_ptr<StreamReader>> KafkaStream::OpenReader(ShardId shard, StartPosition start) {
  if (shard.value() >= partitions_) {
    return Status::Invalid("no partition " + std::to_string(shard.value()) + " in kafka topic " +
                           topic_);
  }
  MP_ASSIGN_OR_RETURN(auto reader,
                      KafkaReader::Open(url_, topic_, static_cast<int32_t>(shard.value()), start));
  return std::unique_ptr<StreamReader>(std::move(reader));
}

Status KafkaStream::SaveCheckpoint(std::string_view consumer, ShardId shard, SequenceNumber seq) {
  if (shard.value() >= partitions_)
    return Status::Invalid("no partition " + std::to_string(shard.value()));
  if (!checkpoints_) return Status::Retry("kafka stream " + topic_ + " is not open");
  return checkpoints_->Save(consumer, static_cast<int32_t>(shard.value()), seq);
}

Result<SequenceNumber> KafkaStream::LoadCheckpoint(std::string_view consumer, ShardId shard) {
  if (shard.value() >= partitions_)
    return Status::Invalid("no partition " + std::to_string(shard.value()));
  if (!checkpoints_) return Status::Retry("kafka stream " + topic_ + " is not open");
  return checkpoints_->Load(consumer, static_cast<int32_t>(shard.value()));
}

std::vector<ShardInfo> KafkaStream::Describe() {
  std::lock_guard lock(describe_mu_);
  last_info_.resize(partitions_);
  const int timeout_ms = std::min(url_.request_timeout_ms, 1000);
  for (uint32_t i = 0; i < partitions_; ++i) {
    ShardInfo& info = last_info_[i];
    info.id = ShardId(i);
    info.name = "partition-" + std::to_string(i);
    std::tie(info.starting_hash_key, info.ending_hash_key) = ShardHashKeyRange(i, partitions_);
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        producer_.get(), topic_.c_str(), static_cast<int32_t>(i), &low, &high, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // keep the last known figures
    info.records = high > low ? static_cast<uint64_t>(high - low) : 0;
    info.first_seq = high > low ? SequenceNumber(static_cast<uint64_t>(low) + 1) : SequenceNumber();
    info.last_seq = high > 0 ? SequenceNumber(static_cast<uint64_t>(high)) : SequenceNumber();
  }
  return last_info_;
}

void KafkaStream::Close() {
  {
    std::unique_lock lock(close_mu_);
    if (closed_) return;
    closed_ = true;
  }
  if (!producer_) return;
  // Let pending appends finish (each fails by itself after
  // delivery_timeout_ms); whatever is left after that is purged, which
  // fails its appends with kRetry through the delivery reports.
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), url_.delivery_timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka stream {}: {} records not acknowledged at close; failing them", topic_,
                 rd_kafka_outq_len(producer_.get()));
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(producer_.get(), 1000);
  }
  stop_polling_.store(true, std::memory_order_release);
  if (poller_.joinable()) poller_.join();
  rd_kafka_poll(producer_.get(), 0);
}

}  // namespace mailpulse
