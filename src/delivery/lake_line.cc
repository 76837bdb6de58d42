#include "delivery/lake_line.h"

#include <algorithm>
#include <cstring>

#include "common/json_escape.h"
#include "delivery/event_scan.h"

namespace mailpulse {
namespace {

constexpr std::string_view kEnvelopeStart = "{\"_mailpulse\":{";

void AppendLineSafe(std::string& out, std::string_view s) {
  size_t start = out.size();
  out.append(s);
  // Valid JSON holds raw CR/LF only as whitespace between tokens, and events
  // rarely hold any: memchr (vectorized) finds none in one pass where a
  // byte-by-byte replace took ~11% of a delivery thread.
  for (char nl : {'\n', '\r'}) {
    char* p = out.data() + start;
    char* end = out.data() + out.size();
    while (p < end) {
      char* hit = static_cast<char*>(std::memchr(p, nl, static_cast<size_t>(end - p)));
      if (hit == nullptr) break;
      *hit = ' ';
      p = hit + 1;
    }
  }
}

}  // namespace

bool FlattenEnvelope(std::string_view payload, std::string* out, std::string_view* webhook) {
  out->clear();
  *webhook = {};
  if (payload.substr(0, kEnvelopeStart.size()) != kEnvelopeStart) return false;
  size_t p = kEnvelopeStart.size();
  out->reserve(payload.size() + 16);
  *out += '{';
  int depth = 0;
  bool expect_key = true;
  bool members = false;
  std::string_view last_key;
  // Bytes from `copied` to p are copied unchanged in one append when
  // something must be rewritten (a key, a CR/LF) or at the end: appending
  // byte by byte was most of this function's cost.
  size_t copied = p;
  auto copy_to = [&](size_t end) { out->append(payload.data() + copied, end - copied); };
  while (p < payload.size()) {
    char c = payload[p];
    if (c == '"') {
      size_t end = p + 1;
      while (end < payload.size() && payload[end] != '"') end += payload[end] == '\\' ? 2 : 1;
      if (end >= payload.size()) return false;
      std::string_view str = payload.substr(p + 1, end - p - 1);
      if (depth == 0 && expect_key) {
        copy_to(p);
        *out += "\"mp_";
        out->append(str);
        *out += '"';
        copied = end + 1;
        last_key = str;
        expect_key = false;
        members = true;
      } else if (depth == 0 && last_key == "webhook") {
        *webhook = str;
      }
      p = end + 1;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (depth == 0) break;
      --depth;
    }
    if (c == ',' && depth == 0) expect_key = true;
    if (c == '\n' || c == '\r') {
      copy_to(p);
      *out += ' ';
      copied = p + 1;
    }
    ++p;
  }
  if (p >= payload.size()) return false;
  copy_to(p);
  std::string_view rest = payload.substr(p + 1);
  if (!members && !rest.empty() && rest.front() == ',') rest.remove_prefix(1);
  AppendLineSafe(*out, rest);
  return true;
}

void LakeLineFormatter::FormatEvent(const StreamRecord& r, FormattedRecord* out) {
  out->error = false;
  out->values = PrefixValues{};
  out->values.arrival_ms = r.arrival_ms;
  std::string_view webhook;
  if (!FlattenEnvelope(r.payload, &out->line, &webhook)) {
    // Not written by ingest: still keep it, under the error prefix.
    Status st = parser_.ParseOne(r.payload, r.arrival_ms, &element_);
    FormatUndeliverable(r, "record has no _mailpulse envelope", st.ok(), out);
    return;
  }
  const EventFields* fields = &scanned_;
  if (!fast_scan_ || !ScanEventFields(r.payload, r.arrival_ms, &scanned_)) {
    // Anything the fast path does not vouch for: the full parser decides,
    // and names the reason.
    Status st = parser_.ParseOne(r.payload, r.arrival_ms, &element_);
    if (!st.ok()) {
      FormatUndeliverable(r, st.message(), false, out);
      return;
    }
    if (element_.reject_reason) {
      FormatUndeliverable(r, *element_.reject_reason, true, out);
      return;
    }
    fields = &element_.fields;
  }
  const EventFields& f = *fields;
  event_type_.assign(f.event);
  std::transform(event_type_.begin(), event_type_.end(), event_type_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  out->values.event_ms = f.timestamp_ms;
  out->values.keys[static_cast<size_t>(PartitionKey::kEventType)] = event_type_;
  out->values.keys[static_cast<size_t>(PartitionKey::kCampaign)] =
      !f.marketing_campaign_id.empty() ? f.marketing_campaign_id : f.singlesend_id;
  out->values.keys[static_cast<size_t>(PartitionKey::kCategory)] = f.category;
  out->values.keys[static_cast<size_t>(PartitionKey::kWebhook)] = webhook;
}

void LakeLineFormatter::FormatRejected(const StreamRecord& r, FormattedRecord* out) {
  out->error = true;
  out->values = PrefixValues{};
  out->values.arrival_ms = r.arrival_ms;
  out->values.event_ms = r.arrival_ms;
  std::string_view webhook;
  if (FlattenEnvelope(r.payload, &out->line, &webhook)) return;
  Status st = parser_.ParseOne(r.payload, r.arrival_ms, &element_);
  FormatUndeliverable(r, "record has no _mailpulse envelope", st.ok(), out);
}

void LakeLineFormatter::FormatUndeliverable(const StreamRecord& r, std::string_view reason,
                                            bool payload_is_json, FormattedRecord* out) {
  out->error = true;
  out->values = PrefixValues{};
  out->values.arrival_ms = r.arrival_ms;
  out->values.event_ms = r.arrival_ms;
  std::string& l = out->line;
  l.clear();
  l += "{\"mp_received_ms\":";
  l += std::to_string(r.arrival_ms);
  l += ",\"mp_error\":";
  AppendJsonString(l, "delivery: " + std::string(reason));
  l += ",\"raw\":";
  if (payload_is_json) {
    AppendLineSafe(l, r.payload);
  } else {
    AppendJsonString(l, r.payload);
  }
  l += '}';
}

}  // namespace mailpulse
