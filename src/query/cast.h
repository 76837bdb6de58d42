// CAST(x AS type) and the conversions functions share (docs/query.md,
// "Types"). NULL and MISSING cast to themselves; an impossible cast is a
// kInvalid "CastFailed: ..." error that stops the query, as in S3 Select.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "query/ast.h"
#include "query/value.h"

namespace mailpulse::query {

Result<Value> CastValue(const Value& v, CastType to);
// An INT from an INT, or from a FLOAT/DECIMAL holding a whole number; for
// function arguments (SUBSTRING positions, DATE_ADD amounts).
Result<int64_t> IntegerArgument(const Value& v, const char* what);

}  // namespace mailpulse::query
