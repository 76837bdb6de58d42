// Splitting a URL's query string into its key=value pairs, for the backend
// URLs (s3://, kinesis://, kafka://). Values stay raw: each caller decodes as
// its scheme needs (UriDecode for backend URLs; PercentDecode, where '+' is a
// space, for HTTP form queries).
#pragma once

#include <string_view>
#include <vector>

namespace mailpulse {

struct QueryPair {
  std::string_view key;
  std::string_view value;  // raw; empty when there is no '='
  bool has_value = false;  // the pair had an '='
};

// The pairs in order; empty pairs ("a=1&&b=2") are skipped.
std::vector<QueryPair> SplitQuery(std::string_view query);

}  // namespace mailpulse
