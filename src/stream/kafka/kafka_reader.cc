#include "stream/kafka/kafka_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace mailpulse {

Result<int64_t> KafkaStartOffset(rd_kafka_t* rk, const KafkaUrl& url, const std::string& topic,
                                 int32_t partition, StartPosition start) {
  const std::string where = topic + "[" + std::to_string(partition) + "]";
  if (!start.seq.fits_u64()) {
    return Status::Invalid("start " + start.seq.ToString() + " of " + where +
                           ": not an offset (kafka partitions never end)");
  }
  switch (start.kind) {
    case StartPosition::Kind::kAtSequence:
      if (!start.seq.is_zero()) return static_cast<int64_t>(start.seq.u64() - 1);
      [[fallthrough]];
    case StartPosition::Kind::kTrimHorizon:
    case StartPosition::Kind::kLatest: {
      // Resolved now, to a concrete offset: Latest must include a record
      // appended after OpenReader returned, and Read's "caught up" test
      // compares offsets.
      int64_t low = 0, high = 0;
      MP_RETURN_IF_ERROR(
          KafkaStatus(rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high,
                                                       url.request_timeout_ms),
                      "watermarks of " + where));
      return start.kind == StartPosition::Kind::kLatest ? high : low;
    }
    case StartPosition::Kind::kAfterSequence:
      return static_cast<int64_t>(start.seq.u64());
    case StartPosition::Kind::kAtTimestamp: {
      KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
      rd_kafka_topic_partition_t* tp =
          rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
      tp->offset = start.timestamp;
      MP_RETURN_IF_ERROR(
          KafkaStatus(rd_kafka_offsets_for_times(rk, list.get(), url.request_timeout_ms),
                      "offset for time " + std::to_string(start.timestamp) + " of " + where));
      MP_RETURN_IF_ERROR(KafkaStatus(tp->err, "offset for time of " + where));
      if (tp->offset >= 0) return tp->offset;
      // No record at or after the time: start at the end.
      return KafkaStartOffset(rk, url, topic, partition, StartPosition::Latest());
    }
  }
  return Status::Invalid("unknown start position");
}

KafkaReader::KafkaReader(const KafkaUrl& url, KafkaClient client, std::string topic,
                         int32_t partition, int64_t next_offset)
    : url_(url),
      client_(std::move(client)),
      topic_(std::move(topic)),
      partition_(partition),
      next_offset_(next_offset) {}

Result<std::unique_ptr<KafkaReader>> KafkaReader::Open(const KafkaUrl& url,
                                                       const std::string& topic, int32_t partition,
                                                       StartPosition start) {
  MP_ASSIGN_OR_RETURN(
      KafkaClient client,
      NewKafkaClient(RD_KAFKA_CONSUMER, url,
                     {// The consumer API needs a group; readers never join or commit to it.
                      {"group.id", url.group_prefix + "reader"},
                      {"enable.auto.commit", "false"},
                      {"enable.auto.offset.store", "false"},
                      {"enable.partition.eof", "false"},
                      // Retention removed the start offset: read what exists, as
                      // the embedded log does.
                      {"auto.offset.reset", "earliest"},
                      // Bounded prefetch: one reader per partition and consumer.
                      {"queued.max.messages.kbytes", "8192"},
                      {"fetch.wait.max.ms", "100"}}));
  rd_kafka_t* rk = client.get();
  rd_kafka_poll_set_consumer(rk);  // errors and logs arrive through consumer_poll
  MP_ASSIGN_OR_RETURN(int64_t offset, KafkaStartOffset(rk, url, topic, partition, start));
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  MP_RETURN_IF_ERROR(KafkaStatus(rd_kafka_assign(rk, list.get()),
                                 "assign " + topic + "[" + std::to_string(partition) + "]"));
  return std::unique_ptr<KafkaReader>(
      new KafkaReader(url, std::move(client), topic, partition, offset));
}

bool KafkaReader::CaughtUp() {
  int64_t low = -1, high = -1;
  // The watermarks of the last fetch response, cached by the client: no request.
  rd_kafka_get_watermark_offsets(client_.get(), topic_.c_str(), partition_, &low, &high);
  return high >= 0 && next_offset_ >= high;
}

Status KafkaReader::Collect(std::vector<StreamRecord>& out, size_t& bytes, size_t max_records,
                            size_t max_bytes, int wait_ms) {
  while (out.size() < max_records && bytes < max_bytes) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(client_.get(), wait_ms);
    wait_ms = 0;
    if (m == nullptr) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Status st = KafkaStatus(m->err, "read " + topic_ + "[" + std::to_string(partition_) + "]");
      std::string detail = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      if (st.kind() == ErrorKind::kRetry) {
        // Brokers down or leaders moving: librdkafka keeps fetching on its
        // own once they are back.
        spdlog::debug("kafka reader {}: {}", st.message(), detail);
        continue;
      }
      if (!out.empty()) {
        spdlog::warn("kafka reader {}: {}", st.message(), detail);
        break;
      }
      return Status(st.kind(), st.message() + ": " + detail);
    }
    StreamRecord r;
    r.seq = SequenceNumber(static_cast<uint64_t>(m->offset) + 1);
    r.arrival_ms = rd_kafka_message_timestamp(m, nullptr);
    if (m->key != nullptr) r.partition_key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.payload.assign(static_cast<const char*>(m->payload), m->len);
    next_offset_ = m->offset + 1;
    rd_kafka_message_destroy(m);
    if (!out.empty() && bytes + r.payload.size() > max_bytes) {
      held_ = std::move(r);
      break;
    }
    bytes += r.payload.size();
    out.push_back(std::move(r));
  }
  return Status::Ok();
}

Result<std::vector<StreamRecord>> KafkaReader::Read(size_t max_records, size_t max_bytes) {
  std::vector<StreamRecord> out;
  size_t bytes = 0;
  if (held_ && max_records > 0) {
    bytes += held_->payload.size();
    out.push_back(std::move(*held_));
    held_.reset();
  }
  MP_RETURN_IF_ERROR(
      Collect(out, bytes, max_records, max_bytes, out.empty() ? url_.read_wait_ms : 0));
  if (!out.empty() || max_records == 0) return out;
  // Nothing fetched: "caught up" only if the last fetch response says so.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(url_.request_timeout_ms);
  while (out.empty() && !CaughtUp()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      // Not "caught up" (that would let a caller stop early and skip
      // records): the partition's leader does not answer.
      return Status::Retry("read " + topic_ + "[" + std::to_string(partition_) +
                           "]: no fetch answer within " + std::to_string(url_.request_timeout_ms) +
                           " ms at offset " + std::to_string(next_offset_));
    }
    MP_RETURN_IF_ERROR(Collect(out, bytes, max_records, max_bytes, 20));
  }
  return out;
}

}  // namespace mailpulse
