#include "sim/json_writer.h"

namespace mailpulse {

void AppendJsonString(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20 || c == '<' || c == '>' || c == '&') {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void JsonWriter::Prefix(std::string_view key) {
  if (stack_.empty()) return;
  Level& top = stack_.back();
  if (top.any) out_.push_back(',');
  top.any = true;
  if (top.object) {
    AppendJsonString(&out_, key);
    out_.push_back(':');
  }
}

JsonWriter& JsonWriter::BeginObject(std::string_view key) {
  Prefix(key);
  out_.push_back('{');
  stack_.push_back({true, false});
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  stack_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray(std::string_view key) {
  Prefix(key);
  out_.push_back('[');
  stack_.push_back({false, false});
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  stack_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view key, std::string_view value) {
  Prefix(key);
  AppendJsonString(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(std::string_view key, int64_t value) {
  Prefix(key);
  out_.append(std::to_string(value));
  return *this;
}

JsonWriter& JsonWriter::Bool(std::string_view key, bool value) {
  Prefix(key);
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view key, std::string_view json) {
  Prefix(key);
  out_.append(json);
  return *this;
}

}  // namespace mailpulse
