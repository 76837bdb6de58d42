#include "query/executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "query/keywords.h"

namespace mailpulse::query {
namespace {

// Calls fn on every node of the tree.
template <typename Fn>
void Walk(const Expr& e, Fn&& fn) {
  fn(e);
  for (const auto& a : e.args) Walk(*a, fn);
  if (e.case_operand) Walk(*e.case_operand, fn);
  if (e.case_else) Walk(*e.case_else, fn);
}

const Expr* FindAggregate(const Expr& e) {
  const Expr* found = nullptr;
  Walk(e, [&](const Expr& n) {
    if (n.kind == ExprKind::kAggregate && found == nullptr) found = &n;
  });
  return found;
}

// The name S3 Select gives an unaliased column: a path's last field name,
// else _N (1-based position).
std::string DerivedName(const Expr& e, size_t position) {
  if (e.kind == ExprKind::kColumn && e.path.back().kind == PathStep::Kind::kField) {
    return e.path.back().name;
  }
  return fmt::format("_{}", position + 1);
}

// ORDER BY's reference to an output column: a bare name that matches a
// column's name, or a position (ORDER BY 2).
const Value* OutputColumn(const Expr& e, const Record& record) {
  if (e.kind == ExprKind::kLiteral && e.literal.type() == ValueType::kInt) {
    int64_t k = e.literal.as_int();
    return k >= 1 && k <= static_cast<int64_t>(record.size())
               ? &record[static_cast<size_t>(k - 1)].second
               : nullptr;
  }
  if (e.kind != ExprKind::kColumn || e.path.size() != 1 ||
      e.path[0].kind != PathStep::Kind::kField) {
    return nullptr;
  }
  for (const auto& [name, v] : record) {
    if (e.path[0].quoted ? name == e.path[0].name : EqualsNoCase(name, e.path[0].name)) return &v;
  }
  return nullptr;
}

}  // namespace

QueryExecutor::QueryExecutor(const SelectStatement* st, const QueryOptions& options,
                             RecordSink* sink)
    : st_(st), options_(options), sink_(sink) {
  ctx_.now = options.now;
  if (options.limits.timeout.count() > 0) {
    deadline_ = std::chrono::steady_clock::now() + options.limits.timeout;
  } else {
    deadline_ = std::chrono::steady_clock::time_point::max();
  }
}

Result<std::unique_ptr<QueryExecutor>> QueryExecutor::Create(const SelectStatement* statement,
                                                             const QueryOptions& options,
                                                             RecordSink* sink) {
  std::unique_ptr<QueryExecutor> ex(new QueryExecutor(statement, options, sink));
  MP_RETURN_IF_ERROR(ex->Validate());
  if (statement->limit.has_value() && *statement->limit == 0) ex->done_ = true;
  return ex;
}

Status QueryExecutor::Validate() {
  const SelectStatement& st = *st_;
  auto no_aggregate = [](const Expr* e, const char* where) -> Status {
    if (e == nullptr) return Status::Ok();
    if (const Expr* a = FindAggregate(*e)) {
      return Status::Invalid(fmt::format("line {}, column {}: {} is not allowed in {}", a->line,
                                         a->column, AggregateName(a->aggregate), where));
    }
    return Status::Ok();
  };
  MP_RETURN_IF_ERROR(no_aggregate(st.where.get(), "WHERE"));
  for (const auto& g : st.group_by) MP_RETURN_IF_ERROR(no_aggregate(g.get(), "GROUP BY"));

  aggregates_.assign(static_cast<size_t>(st.aggregate_slots), nullptr);
  auto collect = [&](const Expr& root) {
    Walk(root, [&](const Expr& n) {
      if (n.kind == ExprKind::kAggregate) aggregates_[static_cast<size_t>(n.slot)] = &n;
    });
  };
  for (const auto& item : st.items) collect(*item.expr);
  if (st.having) collect(*st.having);
  for (const auto& o : st.order_by) collect(*o.expr);
  aggregate_ = st.aggregate_slots > 0 || !st.group_by.empty() || st.having != nullptr;

  for (size_t i = 0; i < st.items.size(); ++i) {
    names_.push_back(st.items[i].alias.empty() ? DerivedName(*st.items[i].expr, i)
                                               : st.items[i].alias);
  }
  if (!aggregate_) return Status::Ok();
  if (st.select_star)
    return Status::Invalid("SELECT * cannot be combined with aggregates or GROUP BY");

  // Outside aggregates, only GROUP BY expressions (or their parts) may
  // refer to the row.
  std::unordered_set<std::string> keys;
  for (const auto& g : st.group_by) keys.insert(g->ToString(&st.from));
  std::function<Status(const Expr&)> covered = [&](const Expr& e) -> Status {
    if (keys.count(e.ToString(&st.from)) > 0 || e.kind == ExprKind::kAggregate) return Status::Ok();
    if (e.kind == ExprKind::kColumn) {
      return Status::Invalid(
          fmt::format("line {}, column {}: {} must appear in GROUP BY or be used in an aggregate",
                      e.line, e.column, e.ToString()));
    }
    for (const auto& a : e.args) MP_RETURN_IF_ERROR(covered(*a));
    if (e.case_operand) MP_RETURN_IF_ERROR(covered(*e.case_operand));
    if (e.case_else) MP_RETURN_IF_ERROR(covered(*e.case_else));
    return Status::Ok();
  };
  for (const auto& item : st.items) MP_RETURN_IF_ERROR(covered(*item.expr));
  if (st.having) MP_RETURN_IF_ERROR(covered(*st.having));
  for (const auto& o : st.order_by) {
    const Expr& e = *o.expr;
    bool is_alias = e.kind == ExprKind::kColumn && e.path.size() == 1 &&
                    std::any_of(names_.begin(), names_.end(), [&](const std::string& n) {
                      return EqualsNoCase(n, e.path[0].name);
                    });
    if (!is_alias) MP_RETURN_IF_ERROR(covered(e));
  }
  return Status::Ok();
}

Status QueryExecutor::CheckDeadline() {
  if (((documents_ - 1) & 255) == 0 && std::chrono::steady_clock::now() > deadline_) {
    return Status::Fail(fmt::format("query stopped: time limit of {} ms exceeded",
                                    options_.limits.timeout.count()));
  }
  return Status::Ok();
}

Status QueryExecutor::AddDocument(const Value& document) {
  if (done_) return Status::Ok();
  ++documents_;
  MP_RETURN_IF_ERROR(CheckDeadline());
  if (st_->from.path.empty()) return AddRow(document);
  // S3Object[*].path: the document is S3Object[*]'s element, so the path's
  // leading [*] is already applied.
  std::vector<Value> rows;
  MP_RETURN_IF_ERROR(ExpandPath(document, st_->from.path, 1, &rows));
  for (const Value& row : rows) {
    MP_RETURN_IF_ERROR(AddRow(row));
    if (done_) break;
  }
  return Status::Ok();
}

Status QueryExecutor::AddRow(const Value& row) {
  EvalEnv env{&row, &st_->from, nullptr, &ctx_};
  if (st_->where) {
    MP_ASSIGN_OR_RETURN(bool keep, EvaluatePredicate(*st_->where, env));
    if (!keep) return Status::Ok();
  }
  if (!aggregate_) {
    MP_ASSIGN_OR_RETURN(Record record, Project(env));
    return Emit(std::move(record), env);
  }
  std::string key;
  for (const auto& g : st_->group_by) {
    MP_ASSIGN_OR_RETURN(Value v, Evaluate(*g, env));
    AppendKey(key, v);
  }
  auto [it, inserted] = group_index_.try_emplace(std::move(key), groups_.size());
  if (inserted) {
    if (static_cast<int64_t>(groups_.size()) >= options_.limits.max_groups) {
      return Status::Fail(fmt::format("query stopped: more than {} groups (max groups)",
                                      options_.limits.max_groups));
    }
    groups_.push_back({row, std::vector<AggregateState>(aggregates_.size())});
  }
  Group& group = groups_[it->second];
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const Expr& call = *aggregates_[i];
    Value v = Value::Bool(true);  // COUNT(*)
    if (!call.args.empty()) {
      MP_ASSIGN_OR_RETURN(v, Evaluate(*call.args[0], env));
    }
    MP_RETURN_IF_ERROR(group.states[i].Add(call, v));
    if (static_cast<int64_t>(group.states[i].distinct_size()) > options_.limits.max_groups) {
      return Status::Fail(fmt::format("query stopped: more than {} DISTINCT values (max groups)",
                                      options_.limits.max_groups));
    }
  }
  return Status::Ok();
}

Result<Record> QueryExecutor::Project(const EvalEnv& env) const {
  Record record;
  if (st_->select_star) {
    const Value& row = *env.row;
    if (row.type() == ValueType::kStruct) return row.as_struct();
    if (!row.is_missing()) record.emplace_back("_1", row);
    return record;
  }
  record.reserve(st_->items.size());
  for (size_t i = 0; i < st_->items.size(); ++i) {
    MP_ASSIGN_OR_RETURN(Value v, Evaluate(*st_->items[i].expr, env));
    record.emplace_back(names_[i], std::move(v));
  }
  return record;
}

Result<std::vector<Value>> QueryExecutor::OrderKeys(const Record& record,
                                                    const EvalEnv& env) const {
  std::vector<Value> keys;
  for (const OrderItem& o : st_->order_by) {
    if (const Value* v = OutputColumn(*o.expr, record)) {
      keys.push_back(*v);
    } else {
      MP_ASSIGN_OR_RETURN(Value v2, Evaluate(*o.expr, env));
      keys.push_back(std::move(v2));
    }
  }
  return keys;
}

Status QueryExecutor::Emit(Record record, const EvalEnv& env) {
  if (!st_->order_by.empty()) {
    if (static_cast<int64_t>(pending_.size()) >= options_.limits.max_buffered_rows) {
      return Status::Fail(
          fmt::format("query stopped: ORDER BY would hold more than {} rows in memory (max rows)",
                      options_.limits.max_buffered_rows));
    }
    MP_ASSIGN_OR_RETURN(std::vector<Value> keys, OrderKeys(record, env));
    pending_.push_back({std::move(record), std::move(keys)});
    return Status::Ok();
  }
  MP_RETURN_IF_ERROR(sink_->Write(record));
  ++written_;
  if (st_->limit.has_value() && written_ >= *st_->limit) done_ = true;
  return Status::Ok();
}

Status QueryExecutor::Finish() {
  if (aggregate_) {
    if (groups_.empty() && st_->group_by.empty()) {
      groups_.push_back({Value::Missing(), std::vector<AggregateState>(aggregates_.size())});
    }
    for (const Group& g : groups_) {
      if (done_) break;
      std::vector<Value> values;
      for (size_t i = 0; i < aggregates_.size(); ++i)
        values.push_back(g.states[i].Finish(*aggregates_[i]));
      EvalEnv env{&g.first_row, &st_->from, &values, &ctx_};
      if (st_->having) {
        MP_ASSIGN_OR_RETURN(bool keep, EvaluatePredicate(*st_->having, env));
        if (!keep) continue;
      }
      MP_ASSIGN_OR_RETURN(Record record, Project(env));
      MP_RETURN_IF_ERROR(Emit(std::move(record), env));
    }
  }
  if (st_->order_by.empty()) return Status::Ok();
  std::stable_sort(pending_.begin(), pending_.end(), [&](const Pending& a, const Pending& b) {
    for (size_t i = 0; i < a.keys.size(); ++i) {
      int c = TotalOrder(a.keys[i], b.keys[i]);
      if (c != 0) return st_->order_by[i].descending ? c > 0 : c < 0;
    }
    return false;
  });
  for (const Pending& p : pending_) {
    if (st_->limit.has_value() && written_ >= *st_->limit) break;
    MP_RETURN_IF_ERROR(sink_->Write(p.record));
    ++written_;
  }
  done_ = true;
  return Status::Ok();
}

}  // namespace mailpulse::query
