#include "query/s3select/event_stream.h"

#include <fmt/format.h>
#include <libdeflate.h>

namespace mailpulse {
namespace {

constexpr uint8_t kStringHeader = 7;
constexpr size_t kPrelude = 12;   // total length, headers length, prelude CRC
constexpr size_t kOverhead = 16;  // prelude + message CRC

uint32_t Crc32(std::string_view bytes, uint32_t crc = 0) {
  return libdeflate_crc32(crc, bytes.data(), bytes.size());
}

void PutU32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

uint32_t GetU32(std::string_view b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(b[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(b[at + 3])};
}

std::string StatsXml(std::string_view element, const SelectStats& s) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{0}><BytesScanned>{1}</BytesScanned>"
      "<BytesProcessed>{2}</BytesProcessed><BytesReturned>{3}</BytesReturned></{0}>",
      element, s.bytes_scanned, s.bytes_processed, s.bytes_returned);
}

std::string XmlEvent(std::string_view type, std::string_view xml) {
  const EventHeader headers[] = {
      {":message-type", "event"}, {":content-type", "text/xml"}, {":event-type", type}};
  return EncodeEventMessage(headers, xml);
}

std::string EmptyEvent(std::string_view type) {
  const EventHeader headers[] = {{":message-type", "event"}, {":event-type", type}};
  return EncodeEventMessage(headers, {});
}

}  // namespace

std::string EncodeEventMessage(std::span<const EventHeader> headers, std::string_view payload) {
  std::string h;
  for (const auto& [name, value] : headers) {
    h.push_back(static_cast<char>(name.size()));
    h.append(name);
    h.push_back(static_cast<char>(kStringHeader));
    h.push_back(static_cast<char>(value.size() >> 8));
    h.push_back(static_cast<char>(value.size()));
    h.append(value);
  }
  std::string out;
  out.reserve(kOverhead + h.size() + payload.size());
  PutU32(&out, static_cast<uint32_t>(kOverhead + h.size() + payload.size()));
  PutU32(&out, static_cast<uint32_t>(h.size()));
  PutU32(&out, Crc32(out));
  out += h;
  out.append(payload);
  PutU32(&out, Crc32(out));
  return out;
}

void AppendRecordsEvents(std::string_view payload, std::string* out) {
  const EventHeader headers[] = {{":message-type", "event"},
                                 {":content-type", "application/octet-stream"},
                                 {":event-type", "Records"}};
  while (!payload.empty()) {
    size_t n = std::min(payload.size(), kMaxRecordsPayload);
    *out += EncodeEventMessage(headers, payload.substr(0, n));
    payload.remove_prefix(n);
  }
}

std::string ContEvent() { return EmptyEvent("Cont"); }
std::string EndEvent() { return EmptyEvent("End"); }
std::string StatsEvent(const SelectStats& stats) {
  return XmlEvent("Stats", StatsXml("Stats", stats));
}
std::string ProgressEvent(const SelectStats& stats) {
  return XmlEvent("Progress", StatsXml("Progress", stats));
}

std::string ErrorEvent(std::string_view code, std::string_view message) {
  const EventHeader headers[] = {
      {":message-type", "error"}, {":error-code", code}, {":error-message", message}};
  return EncodeEventMessage(headers, {});
}

std::string_view DecodedEvent::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

Result<std::vector<DecodedEvent>> DecodeEventStream(std::string_view body) {
  std::vector<DecodedEvent> out;
  size_t at = 0;
  auto bad = [&](std::string_view what) {
    return Status::Invalid(fmt::format("event stream: {} at byte {}", what, at));
  };
  while (at < body.size()) {
    if (body.size() - at < kOverhead) return bad("truncated message");
    uint32_t total = GetU32(body, at);
    uint32_t header_len = GetU32(body, at + 4);
    if (total < kOverhead || total > body.size() - at) return bad("bad total length");
    if (header_len > total - kOverhead) return bad("bad headers length");
    std::string_view msg = body.substr(at, total);
    if (Crc32(msg.substr(0, 8)) != GetU32(msg, 8)) return bad("prelude CRC mismatch");
    if (Crc32(msg.substr(0, total - 4)) != GetU32(msg, total - 4))
      return bad("message CRC mismatch");
    DecodedEvent ev;
    std::string_view h = msg.substr(kPrelude, header_len);
    while (!h.empty()) {
      size_t name_len = static_cast<uint8_t>(h[0]);
      if (h.size() < 1 + name_len + 3) return bad("truncated header");
      std::string name(h.substr(1, name_len));
      if (static_cast<uint8_t>(h[1 + name_len]) != kStringHeader) return bad("non-string header");
      size_t value_len = (size_t{static_cast<uint8_t>(h[2 + name_len])} << 8) |
                         static_cast<uint8_t>(h[3 + name_len]);
      if (h.size() < 4 + name_len + value_len) return bad("truncated header value");
      ev.headers.emplace_back(std::move(name), std::string(h.substr(4 + name_len, value_len)));
      h.remove_prefix(4 + name_len + value_len);
    }
    ev.payload = std::string(msg.substr(kPrelude + header_len, total - kOverhead - header_len));
    out.push_back(std::move(ev));
    at += total;
  }
  return out;
}

}  // namespace mailpulse
