#include "query/output.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json_escape.h"
#include "query/utf8.h"

namespace mailpulse::query {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;
constexpr size_t kMaxCellWidth = 60;

std::string Cell(const Value& v) {
  if (v.is_null()) return "NULL";
  std::string s = ToText(v);
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  std::vector<std::string_view> chars = SplitCharacters(s);
  if (chars.size() <= kMaxCellWidth) return s;
  std::string out;
  for (size_t i = 0; i + 1 < kMaxCellWidth; ++i) out.append(chars[i]);
  return out + "~";
}

size_t Width(const std::string& s) { return SplitCharacters(s).size(); }

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "table") return OutputFormat::kTable;
  return Status::Invalid("unknown output format '" + std::string(name) + "' (json, csv, table)");
}

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Status OutputWriter::Write(const Record& record) {
  switch (format_) {
    case OutputFormat::kJson: {
      buf_ += '{';
      bool first = true;
      for (const auto& [name, v] : record) {
        if (v.is_missing()) continue;
        if (!first) buf_ += ',';
        first = false;
        AppendJsonString(buf_, name);
        buf_ += ':';
        AppendJson(buf_, v);
      }
      buf_ += "}\n";
      break;
    }
    case OutputFormat::kCsv:
      for (size_t i = 0; i < record.size(); ++i) {
        if (i > 0) buf_ += ',';
        AppendCsvField(buf_, ToText(record[i].second));
      }
      buf_ += '\n';
      break;
    case OutputFormat::kTable:
      if (static_cast<int64_t>(table_.size()) >= max_rows_) {
        return Status::Fail(fmt::format(
            "query stopped: table output holds at most {} rows (use --output json)", max_rows_));
      }
      table_.push_back(record);
      return Status::Ok();
  }
  if (buf_.size() >= kFlushBytes) Flush();
  return Status::Ok();
}

void OutputWriter::Flush() {
  if (buf_.empty()) return;
  write_(buf_);
  buf_.clear();
}

void OutputWriter::Finish() {
  if (format_ == OutputFormat::kTable) {
    std::vector<std::string> names;
    for (const Record& r : table_) {
      for (const auto& [name, v] : r) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    std::vector<std::vector<std::string>> cells(table_.size(),
                                                std::vector<std::string>(names.size()));
    std::vector<size_t> widths;
    for (const std::string& n : names) widths.push_back(Width(n));
    for (size_t r = 0; r < table_.size(); ++r) {
      for (const auto& [name, v] : table_[r]) {
        size_t c = static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
        if (!cells[r][c].empty()) continue;  // a repeated name: first one wins
        cells[r][c] = Cell(v);
        widths[c] = std::max(widths[c], Width(cells[r][c]));
      }
    }
    auto line = [&](const std::vector<std::string>& row) {
      for (size_t c = 0; c < row.size(); ++c) {
        if (c > 0) buf_ += "  ";
        buf_ += row[c];
        if (c + 1 < row.size()) buf_.append(widths[c] - Width(row[c]), ' ');
      }
      while (!buf_.empty() && buf_.back() == ' ') buf_.pop_back();
      buf_ += '\n';
    };
    line(names);
    std::vector<std::string> rule;
    for (size_t w : widths) rule.push_back(std::string(w, '-'));
    line(rule);
    for (const auto& row : cells) line(row);
    buf_ += fmt::format("({} row{})\n", table_.size(), table_.size() == 1 ? "" : "s");
    table_.clear();
  }
  Flush();
}

}  // namespace mailpulse::query
