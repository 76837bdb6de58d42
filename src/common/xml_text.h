// xml_text: the minimal XML reading and escaping mailpulse needs for the S3
// protocol: S3's response documents (storage/s3) and S3 Select's request
// document (query/s3select). Deliberately not a general XML parser: the
// documents read are flat, element names read never nest inside themselves,
// and text never holds a raw '<' (it is escaped), so finding
// <Name>...</Name> pairs is exact. Entities (&amp; &lt; &gt; &quot; &apos;
// &#N; &#xH;) are decoded. Input is untrusted (fuzz/s3_xml_fuzzer.cc):
// malformed documents give kFail, never a crash. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailpulse {

// Finds the elements <name ...>inner</name> (or <name/>) of `xml` in order;
// each Next returns the next one's inner text (undecoded). Returns false at
// the end, and sets *malformed on an unterminated element.
class ElementScanner {
 public:
  ElementScanner(std::string_view xml, std::string_view name) : xml_(xml), name_(name) {}
  bool Next(std::string_view* inner, bool* malformed);

 private:
  std::string_view xml_;
  std::string_view name_;
  size_t pos_ = 0;
};

// Decoded text of the first <name> in xml; nullopt if absent.
Result<std::optional<std::string>> FirstXmlText(std::string_view xml, std::string_view name);

std::string XmlEscape(std::string_view text);
// Decodes entities; kFail on an unknown or unterminated one.
Result<std::string> XmlUnescape(std::string_view text);

}  // namespace mailpulse
