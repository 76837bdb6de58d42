#include "common/xml_text.h"

#include <charconv>

namespace mailpulse {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool ElementScanner::Next(std::string_view* inner, bool* malformed) {
  while (pos_ < xml_.size()) {
    size_t lt = xml_.find('<', pos_);
    if (lt == std::string_view::npos) break;
    size_t after = lt + 1 + name_.size();
    if (xml_.compare(lt + 1, name_.size(), name_) != 0 || after >= xml_.size() ||
        (xml_[after] != '>' && xml_[after] != '/' && xml_[after] != ' ' && xml_[after] != '\t' &&
         xml_[after] != '\r' && xml_[after] != '\n')) {
      pos_ = lt + 1;
      continue;
    }
    size_t gt = xml_.find('>', after);
    if (gt == std::string_view::npos) {
      *malformed = true;
      return false;
    }
    if (xml_[gt - 1] == '/') {  // <name/>
      *inner = std::string_view();
      pos_ = gt + 1;
      return true;
    }
    std::string close = "</" + std::string(name_) + ">";
    size_t end = xml_.find(close, gt + 1);
    if (end == std::string_view::npos) {
      *malformed = true;
      return false;
    }
    *inner = xml_.substr(gt + 1, end - gt - 1);
    pos_ = end + close.size();
    return true;
  }
  return false;
}

Result<std::optional<std::string>> FirstXmlText(std::string_view xml, std::string_view name) {
  ElementScanner scan(xml, name);
  std::string_view inner;
  bool malformed = false;
  if (!scan.Next(&inner, &malformed)) {
    if (malformed) return Status::Fail("malformed XML: unterminated <" + std::string(name) + ">");
    return std::optional<std::string>();
  }
  MP_ASSIGN_OR_RETURN(std::string text, XmlUnescape(inner));
  return std::optional<std::string>(std::move(text));
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Result<std::string> XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12)
      return Status::Fail("malformed XML: bad entity");
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    i = semi;
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() >= 2 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [p, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || cp == 0 ||
          cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return Status::Fail("malformed XML: bad character reference &" + std::string(ent) + ";");
      }
      AppendUtf8(cp, &out);
    } else {
      return Status::Fail("malformed XML: unknown entity &" + std::string(ent) + ";");
    }
  }
  return out;
}

}  // namespace mailpulse
