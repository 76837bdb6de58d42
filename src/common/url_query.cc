#include "common/url_query.h"

namespace mailpulse {

std::vector<QueryPair> SplitQuery(std::string_view query) {
  std::vector<QueryPair> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    QueryPair p;
    p.key = kv.substr(0, eq);
    p.has_value = eq != std::string_view::npos;
    if (p.has_value) p.value = kv.substr(eq + 1);
    out.push_back(p);
  }
  return out;
}

}  // namespace mailpulse
