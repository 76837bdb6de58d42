#include "stream/local/checkpoint_store.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "common/crc32c.h"

namespace mailpulse {
namespace {

std::string CrcHex(std::string_view s) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", crc32c::Value(s));
  return buf;
}

}  // namespace

std::string ShardDirName(ShardId shard) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "shard-%04u", shard.value());
  return buf;
}

Status CheckpointStore::ValidateConsumer(std::string_view consumer) {
  if (consumer.empty() || consumer.size() > 128 || consumer[0] == '.') {
    return Status::Invalid("consumer name must be 1..128 characters and not start with '.'");
  }
  for (char c : consumer) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok)
      return Status::Invalid("consumer name may only hold [A-Za-z0-9._-]: '" +
                             std::string(consumer) + "'");
  }
  return Status::Ok();
}

std::string CheckpointStore::PathFor(std::string_view consumer, ShardId shard) const {
  return dir_ + "/" + std::string(consumer) + "/" + ShardDirName(shard);
}

Status CheckpointStore::Save(std::string_view consumer, ShardId shard, SequenceNumber seq) {
  MP_RETURN_IF_ERROR(ValidateConsumer(consumer));
  std::string num = seq.ToString();
  std::string contents = num + " " + CrcHex(num) + "\n";
  std::lock_guard<std::mutex> l(mu_);
  std::string consumer_dir = dir_ + "/" + std::string(consumer);
  MP_RETURN_IF_ERROR(fs_->CreateDir(consumer_dir));
  MP_RETURN_IF_ERROR(fs_->SyncDir(dir_));  // the consumer directory itself must survive
  return WriteFileAtomically(*fs_, PathFor(consumer, shard), contents);
}

Result<SequenceNumber> CheckpointStore::Load(std::string_view consumer, ShardId shard) {
  MP_RETURN_IF_ERROR(ValidateConsumer(consumer));
  std::string path = PathFor(consumer, shard);
  Result<std::string> text = ReadFileToString(*fs_, path);
  if (!text.ok()) {
    if (text.status().kind() == ErrorKind::kNotFound) {
      return Status::NotFound("no checkpoint for consumer '" + std::string(consumer) +
                              "' on shard " + std::to_string(shard.value()));
    }
    return text.status();
  }
  std::string_view t = *text;
  size_t space = t.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 129 || t.size() != space + 10 ||
      t.back() != '\n') {
    return Status::Corruption("malformed checkpoint " + path);
  }
  std::string_view num = t.substr(0, space);
  if (CrcHex(num) != t.substr(space + 1, 8))
    return Status::Corruption("checkpoint checksum mismatch " + path);
  if (num == SequenceNumber::ShardEnd().ToString()) return SequenceNumber::ShardEnd();
  std::optional<SequenceNumber> seq = SequenceNumber::FromDecimal(num);
  if (!seq) return Status::Corruption("malformed checkpoint " + path);
  return *seq;
}

}  // namespace mailpulse
