// A minimal compact JSON writer for the simulator's webhook bodies and truth
// files. Output is what SendGrid's encoder produces: no whitespace, and '<',
// '>' and '&' escaped as \u003c, \u003e, \u0026 (real payloads carry
// "smtp-id":"\u003c...\u003e"). Not for untrusted input: keys are trusted,
// values are escaped. Not thread-safe; one writer per document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailpulse {

class JsonWriter {
 public:
  // `key` is ignored (pass {}) at the top level and inside arrays.
  JsonWriter& BeginObject(std::string_view key = {});
  JsonWriter& EndObject();
  JsonWriter& BeginArray(std::string_view key = {});
  JsonWriter& EndArray();
  JsonWriter& String(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, int64_t value);
  JsonWriter& Bool(std::string_view key, bool value);
  // Inserts `json` verbatim as the value (it must already be valid JSON).
  JsonWriter& Raw(std::string_view key, std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Prefix(std::string_view key);
  std::string out_;
  // One entry per open container: {is_object, has_members}.
  struct Level {
    bool object;
    bool any;
  };
  std::vector<Level> stack_;
};

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace mailpulse
