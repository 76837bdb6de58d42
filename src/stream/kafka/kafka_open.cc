#include "stream/kafka/kafka_open.h"

#include "stream/kafka/kafka_stream.h"
#include "stream/kafka/kafka_url.h"

namespace mailpulse {

Result<std::unique_ptr<Stream>> OpenKafkaStream(std::string_view url,
                                                const StreamOpenOptions& options) {
  MP_ASSIGN_OR_RETURN(KafkaUrl ku, ParseKafkaUrl(url));
  const bool events = options.role == "events";
  KafkaStreamOptions ko;
  ko.url = ku;
  ko.topic = events ? ku.topic : ku.errors_topic;
  ko.expected_partitions = events ? ku.partitions : 0;
  ko.metrics = options.metrics;
  ko.metrics_name = options.role;
  MP_ASSIGN_OR_RETURN(std::unique_ptr<KafkaStream> s, KafkaStream::Open(ko));
  return std::unique_ptr<Stream>(std::move(s));
}

}  // namespace mailpulse
