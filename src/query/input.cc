#include "query/input.h"

#include <fmt/format.h>

#include <vector>

#include "query/projection.h"

namespace mailpulse::query {

Value JsonToValue(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      Value::List list;
      simdjson::dom::array array = e.get_array().value_unsafe();
      for (simdjson::dom::element x : array) list.push_back(JsonToValue(x));
      return Value::MakeList(std::move(list));
    }
    case simdjson::dom::element_type::OBJECT: {
      Value::Struct s;
      simdjson::dom::object object = e.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair kv : object) {
        s.emplace_back(std::string(kv.key), JsonToValue(kv.value));
      }
      return Value::MakeStruct(std::move(s));
    }
    case simdjson::dom::element_type::INT64:
      return Value::Int(e.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return Value::Float(static_cast<double>(e.get_uint64().value_unsafe()));
    case simdjson::dom::element_type::DOUBLE:
      return Value::Float(e.get_double().value_unsafe());
    case simdjson::dom::element_type::STRING:
      return Value::String(std::string(e.get_string().value_unsafe()));
    case simdjson::dom::element_type::BOOL:
      return Value::Bool(e.get_bool().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE:
      return Value::Null();
  }
  return Value::Missing();
}

namespace {

// The document with only the top-level members `p` keeps.
Value ProjectedDocument(simdjson::dom::element e, const RootProjection& p) {
  if (e.type() != simdjson::dom::element_type::OBJECT) return JsonToValue(e);
  Value::Struct s;
  simdjson::dom::object object = e.get_object().value_unsafe();
  for (simdjson::dom::key_value_pair kv : object) {
    if (p.Keeps(kv.key)) s.emplace_back(std::string(kv.key), JsonToValue(kv.value));
  }
  return Value::MakeStruct(std::move(s));
}

}  // namespace

Status InputReader::Read(std::string_view text, const std::string& source, const DocumentFn& fn) {
  return format_ == InputFormat::kJson ? ReadJsonLines(text, source, fn)
                                       : ReadCsv(text, source, fn);
}

Status InputReader::ReadJsonLines(std::string_view text, const std::string& source,
                                  const DocumentFn& fn) {
  size_t pos = 0;
  int64_t line_no = 0;
  bool stop = false;
  while (pos < text.size() && !stop) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    simdjson::dom::element doc;
    auto error = parser_.parse(line.data(), line.size(), true).get(doc);
    if (error) {
      return Status::Corruption(fmt::format("{}: line {}: invalid JSON ({})", source, line_no,
                                            simdjson::error_message(error)));
    }
    MP_RETURN_IF_ERROR(
        fn(projection_ ? ProjectedDocument(doc, *projection_) : JsonToValue(doc), &stop));
  }
  return Status::Ok();
}

namespace {

// Splits CSV text into rows of fields (RFC 4180, ',' and '"').
class CsvSplitter {
 public:
  explicit CsvSplitter(std::string_view text) : t_(text) {}

  // false at the end of the text.
  bool Next(std::vector<std::string>* fields) {
    fields->clear();
    if (pos_ >= t_.size()) return false;
    std::string field;
    bool quoted = false;
    while (pos_ < t_.size()) {
      char c = t_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (pos_ < t_.size() && t_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields->push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        break;
      } else if (c == '\r' && pos_ < t_.size() && t_[pos_] == '\n') {
        ++pos_;
        break;
      } else {
        field += c;
      }
    }
    fields->push_back(std::move(field));
    return true;
  }

 private:
  std::string_view t_;
  size_t pos_ = 0;
};

}  // namespace

Status InputReader::ReadCsv(std::string_view text, const std::string&, const DocumentFn& fn) {
  CsvSplitter split(text);
  std::vector<std::string> fields, names;
  if (header_ != CsvHeader::kNone && split.Next(&fields) && header_ == CsvHeader::kUse) {
    names = fields;
  }
  bool stop = false;
  while (!stop && split.Next(&fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    Value::Struct row;
    row.reserve(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      std::string name = i < names.size() ? names[i] : fmt::format("_{}", i + 1);
      row.emplace_back(std::move(name), Value::String(std::move(fields[i])));
    }
    MP_RETURN_IF_ERROR(fn(Value::MakeStruct(std::move(row)), &stop));
  }
  return Status::Ok();
}

}  // namespace mailpulse::query
