// RootProjection: the top-level members of each JSON document a statement
// can read, so the reader converts only those into Values (docs/query.md,
// "Pipeline"). Building a Value for every member of every event was most of
// a scan's time (the events carry ~20 members; a question reads 1-3).
//
// Conservative by construction: nullopt (convert everything) whenever the
// statement may see the whole row or a member chosen at run time — SELECT *,
// the row alias alone, [n] or [*] on the row, positional names (_1, _2, ...),
// or a FROM path. Otherwise the set holds every name a column path may look
// up at the top level, lower-cased (unquoted names match case-insensitively,
// so a superset is kept for quoted ones too). Keeping a superset never
// changes a result; dropping a member a path reads would, and cannot happen.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"

namespace mailpulse::query {

class RootProjection {
 public:
  // True when a top-level member named `key` must be kept.
  bool Keeps(std::string_view key) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  friend std::optional<RootProjection> ProjectionOf(const SelectStatement& st);
  std::vector<std::string> names_;  // lower-case, sorted, unique
};

std::optional<RootProjection> ProjectionOf(const SelectStatement& st);

}  // namespace mailpulse::query
