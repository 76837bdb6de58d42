#include "event/event_parser.h"

#include <cstring>

namespace mailpulse {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A scalar's raw token runs to the next structural character and so may
// carry trailing whitespace.
std::string_view Trimmed(std::string_view tok) {
  while (!tok.empty() && IsJsonSpace(tok.back())) tok.remove_suffix(1);
  return tok;
}

// "-"? digits, at most 18 of them (so no overflow). Leading zeros allowed:
// this also reads integer strings, which JSON's grammar does not constrain.
enum class IntText { kOk, kNotInteger, kTooLong };
IntText ParseIntText(std::string_view s, int64_t* out) {
  bool neg = !s.empty() && s.front() == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty()) return IntText::kNotInteger;
  for (char c : s) {
    if (!IsDigit(c)) return IntText::kNotInteger;
  }
  if (s.size() > 18) return IntText::kTooLong;
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  *out = neg ? -v : v;
  return IntText::kOk;
}

enum class KeyId : uint8_t {
  kUnknown,
  kEvent,
  kTimestamp,
  kSgEventId,
  kSgMessageId,
  kEmail,
  kUrl,
  kType,
  kAttempt,
  kPool,
  kSinglesendId,
  kMarketingCampaignId,
  kCategory,
  kSgMachineOpen,
};

struct KnownKey {
  std::string_view name;
  KeyId key;
};
constexpr KnownKey kKnownKeys[] = {
    {"event", KeyId::kEvent},
    {"timestamp", KeyId::kTimestamp},
    {"sg_event_id", KeyId::kSgEventId},
    {"sg_message_id", KeyId::kSgMessageId},
    {"email", KeyId::kEmail},
    {"url", KeyId::kUrl},
    {"type", KeyId::kType},
    {"attempt", KeyId::kAttempt},
    {"pool", KeyId::kPool},
    {"singlesend_id", KeyId::kSinglesendId},
    {"marketing_campaign_id", KeyId::kMarketingCampaignId},
    {"category", KeyId::kCategory},
    {"sg_machine_open", KeyId::kSgMachineOpen},
};

// True when `name` is exactly the N-1 characters of `lit` (a literal). The
// length is a constant, so the comparison compiles to a few loads instead of
// a memcmp call.
template <size_t N>
bool Is(std::string_view name, const char (&lit)[N]) {
  return name.size() == N - 1 && std::memcmp(name.data(), lit, N - 1) == 0;
}

// Every key of every event goes through here (~15 per SendGrid event, most
// of them unknown), so dispatch on the length first: one or two fixed-size
// compares instead of a scan of kKnownKeys.
KeyId Classify(std::string_view name) {
  switch (name.size()) {
    case 3:
      return Is(name, "url") ? KeyId::kUrl : KeyId::kUnknown;
    case 4:
      return Is(name, "type") ? KeyId::kType : Is(name, "pool") ? KeyId::kPool : KeyId::kUnknown;
    case 5:
      return Is(name, "event")   ? KeyId::kEvent
             : Is(name, "email") ? KeyId::kEmail
                                 : KeyId::kUnknown;
    case 7:
      return Is(name, "attempt") ? KeyId::kAttempt : KeyId::kUnknown;
    case 8:
      return Is(name, "category") ? KeyId::kCategory : KeyId::kUnknown;
    case 9:
      return Is(name, "timestamp") ? KeyId::kTimestamp : KeyId::kUnknown;
    case 11:
      return Is(name, "sg_event_id") ? KeyId::kSgEventId : KeyId::kUnknown;
    case 13:
      return Is(name, "sg_message_id")   ? KeyId::kSgMessageId
             : Is(name, "singlesend_id") ? KeyId::kSinglesendId
                                         : KeyId::kUnknown;
    case 15:
      return Is(name, "sg_machine_open") ? KeyId::kSgMachineOpen : KeyId::kUnknown;
    case 21:
      return Is(name, "marketing_campaign_id") ? KeyId::kMarketingCampaignId : KeyId::kUnknown;
    default:
      return KeyId::kUnknown;
  }
}

class Walker {
 public:
  Walker(EventFields* f, bool may_have_escapes) : f_(f), may_have_escapes_(may_have_escapes) {}

  ElementWalkError error() const { return {code_, where_}; }

  error_code Event(od::value v, std::optional<std::string>* reject);

 private:
  error_code Fail(error_code code, const char* where) {
    code_ = code;
    where_ = where;
    return code;
  }
  error_code Check(error_code code) {
    if (code != SUCCESS && code_ == SUCCESS) code_ = code;
    return code;
  }

  error_code ReadKey(od::field& field, std::string_view* name);
  error_code String(od::value& v, std::string_view* out);
  // String or number, as text (numbers keep their JSON spelling).
  error_code Text(od::value& v, std::string_view* out);
  error_code Any(od::value& v, int depth);
  // Validates a number token and consumes it. A number that is valid JSON but
  // that simdjson cannot represent (more than 64-bit integer, double overflow)
  // rejects the event rather than the body: readers of the lake use simdjson.
  error_code Number(od::value& v, std::string_view* text);
  error_code Timestamp(od::value& v);
  error_code Category(od::value& v);
  error_code Pool(od::value& v);
  error_code MachineOpen(od::value& v);

  EventFields* f_;
  const bool may_have_escapes_;  // false: no '\\' anywhere in the element
  std::string_view event_problem_;
  std::string_view timestamp_problem_;
  std::string_view duplicate_;
  bool number_out_of_range_ = false;
  error_code code_ = SUCCESS;
  const char* where_ = nullptr;
};

#define WALK_TRY(expr)                             \
  do {                                             \
    ::simdjson::error_code walk_e_ = (expr);       \
    if (walk_e_ != SUCCESS) return Check(walk_e_); \
  } while (0)

error_code Walker::ReadKey(od::field& field, std::string_view* name) {
  // Keys are scanned raw; only a key with a backslash is decoded (which also
  // validates its escapes). Stage 1 guarantees the closing quote exists.
  const char* start = field.key().raw();
  const char* p = start;
  bool escaped = false;
  while (*p != '"') {
    if (*p == '\\') {
      escaped = true;
      ++p;
    }
    ++p;
  }
  if (!escaped) {
    *name = std::string_view(start, static_cast<size_t>(p - start));
    return SUCCESS;
  }
  return field.unescaped_key().get(*name);
}

error_code Walker::String(od::value& v, std::string_view* out) {
  std::string_view tok = Trimmed(v.raw_json_token());
  std::string_view content = tok.substr(1, tok.size() - 2);
  if (!may_have_escapes_ || std::memchr(content.data(), '\\', content.size()) == nullptr) {
    // Consume the value even though the view is already known: On-Demand
    // skips an unconsumed string followed by ':' as if it were a key, which
    // would let `{"a":"b":]}` through.
    od::raw_json_string consumed;
    error_code e = v.get_raw_json_string().get(consumed);
    if (e != SUCCESS) return Fail(e, tok.data());
    *out = content;
    return SUCCESS;
  }
  error_code e = v.get_string().get(*out);
  if (e != SUCCESS) return Fail(e, tok.data());
  return SUCCESS;
}

error_code Walker::Text(od::value& v, std::string_view* out) {
  od::json_type t;
  WALK_TRY(v.type().get(t));
  if (t == od::json_type::string) return String(v, out);
  if (t == od::json_type::number) return Number(v, out);
  return Any(v, 1);
}

error_code Walker::Number(od::value& v, std::string_view* text) {
  std::string_view tok = Trimmed(v.raw_json_token());
  if (!IsJsonNumber(tok)) return Fail(simdjson::NUMBER_ERROR, tok.data());
  *text = tok;
  od::number ignored;
  if (v.get_number().get(ignored) != SUCCESS) number_out_of_range_ = true;
  return SUCCESS;
}

error_code Walker::Any(od::value& v, int depth) {
  if (depth > kMaxElementDepth) return Fail(simdjson::DEPTH_ERROR, nullptr);
  od::json_type t;
  WALK_TRY(v.type().get(t));
  switch (t) {
    case od::json_type::array: {
      od::array a;
      WALK_TRY(v.get_array().get(a));
      for (auto item : a) {
        od::value iv;
        WALK_TRY(std::move(item).get(iv));
        WALK_TRY(Any(iv, depth + 1));
      }
      return SUCCESS;
    }
    case od::json_type::object: {
      od::object o;
      WALK_TRY(v.get_object().get(o));
      for (auto member : o) {
        od::field field;
        WALK_TRY(std::move(member).get(field));
        std::string_view name;
        WALK_TRY(ReadKey(field, &name));
        WALK_TRY(Any(field.value(), depth + 1));
      }
      return SUCCESS;
    }
    case od::json_type::string: {
      std::string_view ignored;
      return String(v, &ignored);
    }
    case od::json_type::number: {
      std::string_view ignored;
      return Number(v, &ignored);
    }
    case od::json_type::boolean: {
      std::string_view tok = Trimmed(v.raw_json_token());
      if (tok == "true" || tok == "false") return SUCCESS;
      return Fail(tok.front() == 't' ? simdjson::T_ATOM_ERROR : simdjson::F_ATOM_ERROR, tok.data());
    }
    case od::json_type::null: {
      std::string_view tok = Trimmed(v.raw_json_token());
      return tok == "null" ? SUCCESS : Fail(simdjson::N_ATOM_ERROR, tok.data());
    }
  }
  return Fail(simdjson::TAPE_ERROR, nullptr);
}

error_code Walker::Timestamp(od::value& v) {
  od::json_type t;
  WALK_TRY(v.type().get(t));
  std::string_view text;
  if (t == od::json_type::string) {
    WALK_TRY(String(v, &text));
  } else if (t == od::json_type::number) {
    WALK_TRY(Number(v, &text));
  } else {
    timestamp_problem_ = reject_reason::kTimestampNotInteger;
    return Any(v, 1);
  }
  int64_t value = 0;
  switch (ParseIntText(text, &value)) {
    case IntText::kOk:
      f_->timestamp_ms = NormalizeTimestampMillis(value);
      f_->has_timestamp = true;
      break;
    case IntText::kNotInteger:
      timestamp_problem_ = reject_reason::kTimestampNotInteger;
      break;
    case IntText::kTooLong:
      timestamp_problem_ = reject_reason::kTimestampOutOfRange;
      break;
  }
  return SUCCESS;
}

error_code Walker::Category(od::value& v) {
  od::json_type t;
  WALK_TRY(v.type().get(t));
  if (t == od::json_type::string) return String(v, &f_->category);
  if (t != od::json_type::array) return Any(v, 1);
  od::array a;
  WALK_TRY(v.get_array().get(a));
  bool first = true;
  for (auto item : a) {
    od::value iv;
    WALK_TRY(std::move(item).get(iv));
    od::json_type it;
    WALK_TRY(iv.type().get(it));
    if (first && it == od::json_type::string) {
      WALK_TRY(String(iv, &f_->category));
    } else {
      WALK_TRY(Any(iv, 2));
    }
    first = false;
  }
  return SUCCESS;
}

error_code Walker::Pool(od::value& v) {
  od::json_type t;
  WALK_TRY(v.type().get(t));
  if (t != od::json_type::object) return Any(v, 1);
  od::object o;
  WALK_TRY(v.get_object().get(o));
  for (auto member : o) {
    od::field field;
    WALK_TRY(std::move(member).get(field));
    std::string_view name;
    WALK_TRY(ReadKey(field, &name));
    if (name == "id") {
      WALK_TRY(Text(field.value(), &f_->pool_id));
    } else {
      WALK_TRY(Any(field.value(), 2));
    }
  }
  return SUCCESS;
}

error_code Walker::MachineOpen(od::value& v) {
  od::json_type t;
  WALK_TRY(v.type().get(t));
  std::string_view text;
  if (t == od::json_type::string) {
    WALK_TRY(String(v, &text));
  } else if (t == od::json_type::boolean || t == od::json_type::number) {
    text = Trimmed(v.raw_json_token());
    WALK_TRY(Any(v, 1));  // validates the literal or number
  } else {
    return Any(v, 1);
  }
  if (text == "true" || text == "1") f_->machine_open = true;
  if (text == "false" || text == "0") f_->machine_open = false;
  return SUCCESS;
}

error_code Walker::Event(od::value v, std::optional<std::string>* reject) {
  od::json_type t;
  WALK_TRY(v.type().get(t));
  if (t != od::json_type::object) {
    WALK_TRY(Any(v, 0));
    *reject = std::string(reject_reason::kNotAnObject);
    return SUCCESS;
  }
  od::object o;
  WALK_TRY(v.get_object().get(o));
  uint32_t seen = 0;
  for (auto member : o) {
    od::field field;
    WALK_TRY(std::move(member).get(field));
    std::string_view name;
    WALK_TRY(ReadKey(field, &name));
    od::value& value = field.value();
    const KeyId key = Classify(name);
    const uint32_t bit = 1u << static_cast<uint32_t>(key);
    if (key != KeyId::kUnknown && (seen & bit) != 0) {
      if (duplicate_.empty()) duplicate_ = kKnownKeys[static_cast<size_t>(key) - 1].name;
      WALK_TRY(Any(value, 1));
      continue;
    }
    seen |= bit;
    switch (key) {
      case KeyId::kUnknown:
        WALK_TRY(Any(value, 1));
        break;
      case KeyId::kEvent: {
        od::json_type et;
        WALK_TRY(value.type().get(et));
        if (et == od::json_type::string) {
          WALK_TRY(String(value, &f_->event));
          f_->has_event = true;
        } else {
          event_problem_ = reject_reason::kEventNotString;
          WALK_TRY(Any(value, 1));
        }
        break;
      }
      case KeyId::kTimestamp:
        WALK_TRY(Timestamp(value));
        break;
      case KeyId::kSgEventId:
      case KeyId::kSgMessageId:
      case KeyId::kEmail:
      case KeyId::kUrl:
      case KeyId::kType: {
        std::string_view* dst = key == KeyId::kSgEventId     ? &f_->sg_event_id
                                : key == KeyId::kSgMessageId ? &f_->sg_message_id
                                : key == KeyId::kEmail       ? &f_->email
                                : key == KeyId::kUrl         ? &f_->url
                                                             : &f_->type;
        od::json_type st;
        WALK_TRY(value.type().get(st));
        if (st == od::json_type::string) {
          WALK_TRY(String(value, dst));
        } else {
          WALK_TRY(Any(value, 1));  // wrong type: treated as absent
        }
        break;
      }
      case KeyId::kAttempt:
        WALK_TRY(Text(value, &f_->attempt));
        break;
      case KeyId::kSinglesendId:
        WALK_TRY(Text(value, &f_->singlesend_id));
        break;
      case KeyId::kMarketingCampaignId:
        WALK_TRY(Text(value, &f_->marketing_campaign_id));
        break;
      case KeyId::kPool:
        WALK_TRY(Pool(value));
        break;
      case KeyId::kCategory:
        WALK_TRY(Category(value));
        break;
      case KeyId::kSgMachineOpen:
        WALK_TRY(MachineOpen(value));
        break;
    }
  }
  f_->message_id = MessageIdOf(f_->sg_message_id);

  if (!duplicate_.empty()) {
    *reject = std::string(reject_reason::kDuplicateFieldPrefix);
    reject->value().append(duplicate_);
  } else if (!event_problem_.empty()) {
    *reject = std::string(event_problem_);
  } else if (f_->has_event && !f_->event.empty() && !timestamp_problem_.empty()) {
    *reject = std::string(timestamp_problem_);
  } else if (number_out_of_range_) {
    *reject = std::string(reject_reason::kNumberOutOfRange);
  }
  return SUCCESS;
}

#undef WALK_TRY

}  // namespace

bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  return i == n;
}

int InterpretedKeyIndex(std::string_view name) {
  const KeyId key = Classify(name);
  return key == KeyId::kUnknown ? -1 : static_cast<int>(key) - 1;
}

ElementWalkError WalkEventElement(simdjson::ondemand::value v, UnixMillis received_ms,
                                  EventFields* fields, std::optional<std::string>* reject_reason,
                                  bool may_have_escapes) {
  *fields = EventFields{};
  reject_reason->reset();
  Walker walker(fields, may_have_escapes);
  if (walker.Event(v, reject_reason) != SUCCESS) return walker.error();
  if (!reject_reason->has_value()) *reject_reason = ValidateEvent(*fields, received_ms);
  return {};
}

}  // namespace mailpulse
