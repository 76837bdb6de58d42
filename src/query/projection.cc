#include "query/projection.h"

#include <algorithm>
#include <cctype>

namespace mailpulse::query {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Positional(std::string_view name) {
  return name.size() > 1 && name[0] == '_' &&
         std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Adds what `e` may read at the top level; false when it may read anything.
bool Collect(const Expr* e, const FromClause& from, std::vector<std::string>* names) {
  if (e == nullptr) return true;
  if (e->kind == ExprKind::kColumn) {
    const std::vector<PathStep>& p = e->path;
    if (p.empty() || p[0].kind != PathStep::Kind::kField || Positional(p[0].name)) return false;
    names->push_back(Lower(p[0].name));  // a member of the row, unless it names the alias
    if (Lower(p[0].name) == Lower(from.alias)) {
      // The row itself (s, s[0], s[*]) may read every member.
      if (p.size() < 2 || p[1].kind != PathStep::Kind::kField || Positional(p[1].name))
        return false;
      names->push_back(Lower(p[1].name));
    }
  }
  if (!Collect(e->case_operand.get(), from, names)) return false;
  if (!Collect(e->case_else.get(), from, names)) return false;
  for (const auto& a : e->args) {
    if (!Collect(a.get(), from, names)) return false;
  }
  return true;
}

}  // namespace

bool RootProjection::Keeps(std::string_view key) const {
  for (const std::string& n : names_) {
    if (n.size() != key.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size() && same; ++i) {
      same = n[i] == static_cast<char>(std::tolower(static_cast<unsigned char>(key[i])));
    }
    if (same) return true;
  }
  return false;
}

std::optional<RootProjection> ProjectionOf(const SelectStatement& st) {
  if (st.select_star || !st.from.path.empty()) return std::nullopt;
  RootProjection p;
  std::vector<const Expr*> exprs;
  for (const SelectItem& i : st.items) exprs.push_back(i.expr.get());
  exprs.push_back(st.where.get());
  for (const auto& g : st.group_by) exprs.push_back(g.get());
  exprs.push_back(st.having.get());
  for (const OrderItem& o : st.order_by) exprs.push_back(o.expr.get());
  for (const Expr* e : exprs) {
    if (!Collect(e, st.from, &p.names_)) return std::nullopt;
  }
  std::sort(p.names_.begin(), p.names_.end());
  p.names_.erase(std::unique(p.names_.begin(), p.names_.end()), p.names_.end());
  return p;
}

}  // namespace mailpulse::query
