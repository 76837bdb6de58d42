#include "query/partition_pruner.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "delivery/prefix_template.h"
#include "query/keywords.h"
#include "query/timestamp.h"

namespace mailpulse::query {
namespace {

// Record fields that delivery writes as partition folders, and how it
// derives the folder's value (docs/formats/lake-object.md, "Prefix
// expressions"). campaign is marketing_campaign_id, else singlesend_id: an
// equality on marketing_campaign_id therefore fixes the folder; one on
// singlesend_id does not (a marketing id may take precedence), so it is absent.
struct PartitionField {
  const char* field;
  const char* partition;
  bool lower_case;
};
constexpr PartitionField kPartitionFields[] = {
    {"event", "event_type", true},
    {"marketing_campaign_id", "campaign", false},
};

// The field a column reference names in the row of FROM S3Object, if it is
// a single field (alias.field or field).
const PathStep* RowField(const Expr& e, const FromClause& from) {
  if (e.kind != ExprKind::kColumn) return nullptr;
  const std::vector<PathStep>& p = e.path;
  size_t first = 0;
  if (p.size() == 2 && p[0].kind == PathStep::Kind::kField &&
      (p[0].quoted || from.alias_quoted ? p[0].name == from.alias
                                        : EqualsNoCase(p[0].name, from.alias))) {
    first = 1;
  }
  if (p.size() != first + 1 || p[first].kind != PathStep::Kind::kField) return nullptr;
  return &p[first];
}

const PartitionField* FieldPartition(const PathStep& step) {
  for (const PartitionField& f : kPartitionFields) {
    if (step.quoted ? step.name == f.field : EqualsNoCase(step.name, f.field)) return &f;
  }
  return nullptr;
}

void Conjuncts(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == ExprKind::kBinary && e.op == BinaryOp::kAnd) {
    Conjuncts(*e.args[0], out);
    Conjuncts(*e.args[1], out);
  } else {
    out->push_back(&e);
  }
}

bool IsStringLiteral(const Expr& e) {
  return e.kind == ExprKind::kLiteral && e.literal.type() == ValueType::kString;
}

std::string FolderValue(const PartitionField& f, std::string value) {
  if (f.lower_case) value = AsciiLower(std::move(value));
  std::string out;
  AppendPartitionValue(out, value);
  return out;
}

// [start, end) in ms of the dt= (and hour=) folders; nullopt without dt=.
std::optional<std::pair<int64_t, int64_t>> FolderWindow(std::string_view key) {
  std::optional<int64_t> day_start;
  std::optional<int> hour;
  for (const auto& [name, value] : KeyPartitions(key)) {
    if (name == "dt") {
      Result<Timestamp> ts = ParseTimestamp(value);
      if (!ts.ok() || ts->precision != TsPrecision::kDay) return std::nullopt;
      day_start = ts->EpochSeconds() * 1000;
    } else if (name == "hour") {
      int h = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), h);
      if (ec != std::errc() || p != value.data() + value.size() || h < 0 || h > 23) {
        return std::nullopt;
      }
      hour = h;
    }
  }
  if (!day_start.has_value()) return std::nullopt;
  if (!hour.has_value()) return std::pair{*day_start, *day_start + 86'400'000};
  int64_t start = *day_start + static_cast<int64_t>(*hour) * 3'600'000;
  return std::pair{start, start + 3'600'000};
}

}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> KeyPartitions(std::string_view key) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  size_t pos = 0;
  while (true) {
    size_t slash = key.find('/', pos);
    if (slash == std::string_view::npos) break;  // the last segment is the object's name
    std::string_view seg = key.substr(pos, slash - pos);
    size_t eq = seg.find('=');
    if (eq != std::string_view::npos && eq > 0)
      out.emplace_back(seg.substr(0, eq), seg.substr(eq + 1));
    pos = slash + 1;
  }
  return out;
}

void PartitionPruner::Add(std::string partition, std::vector<std::string> values) {
  for (Constraint& c : constraints_) {
    if (c.partition != partition) continue;
    // Both must hold: keep the intersection.
    std::vector<std::string> both;
    for (const std::string& v : c.values) {
      if (std::find(values.begin(), values.end(), v) != values.end()) both.push_back(v);
    }
    c.values = std::move(both);
    return;
  }
  constraints_.push_back({std::move(partition), std::move(values)});
}

PartitionPruner PartitionPruner::FromQuery(const SelectStatement& st) {
  PartitionPruner p;
  if (!st.where || !st.from.path.empty()) return p;
  std::vector<const Expr*> conjuncts;
  Conjuncts(*st.where, &conjuncts);
  for (const Expr* c : conjuncts) {
    const PathStep* field = nullptr;
    std::vector<std::string> literals;
    if (c->kind == ExprKind::kBinary && c->op == BinaryOp::kEq) {
      for (int side = 0; side < 2; ++side) {
        const Expr& col = *c->args[static_cast<size_t>(side)];
        const Expr& lit = *c->args[static_cast<size_t>(1 - side)];
        if (RowField(col, st.from) != nullptr && IsStringLiteral(lit)) {
          field = RowField(col, st.from);
          literals.push_back(lit.literal.as_string());
        }
      }
    } else if (c->kind == ExprKind::kIn && !c->negated) {
      field = RowField(*c->args[0], st.from);
      for (size_t i = 1; i < c->args.size() && field != nullptr; ++i) {
        if (!IsStringLiteral(*c->args[i])) field = nullptr;
        if (field != nullptr) literals.push_back(c->args[i]->literal.as_string());
      }
    }
    if (field == nullptr || literals.empty()) continue;
    const PartitionField* pf = FieldPartition(*field);
    if (pf == nullptr) continue;
    std::vector<std::string> values;
    for (std::string& l : literals) {
      if (l.empty()) break;  // '' is the NULL folder: not a safe match, keep all
      values.push_back(FolderValue(*pf, std::move(l)));
    }
    if (values.size() == literals.size()) p.Add(pf->partition, std::move(values));
  }
  return p;
}

bool PartitionPruner::MayMatch(std::string_view key) const {
  if (!constraints_.empty()) {
    for (const auto& [name, value] : KeyPartitions(key)) {
      for (const Constraint& c : constraints_) {
        if (name == c.partition &&
            std::find(c.values.begin(), c.values.end(), value) == c.values.end()) {
          return false;
        }
      }
    }
  }
  if (since_ms_.has_value() || until_ms_.has_value()) {
    std::optional<std::pair<int64_t, int64_t>> w = FolderWindow(key);
    if (w.has_value()) {
      if (since_ms_.has_value() && w->second <= *since_ms_) return false;
      if (until_ms_.has_value() && w->first >= *until_ms_) return false;
    }
  }
  return true;
}

std::string PartitionPruner::Describe() const {
  std::string out;
  for (const Constraint& c : constraints_) {
    if (!out.empty()) out += "; ";
    out += c.partition + " in {" + fmt::format("{}", fmt::join(c.values, ", ")) + "}";
  }
  if (since_ms_.has_value() || until_ms_.has_value()) {
    if (!out.empty()) out += "; ";
    out += fmt::format("time [{}, {})", since_ms_ ? std::to_string(*since_ms_) : "-inf",
                       until_ms_ ? std::to_string(*until_ms_) : "+inf");
  }
  return out;
}

}  // namespace mailpulse::query
