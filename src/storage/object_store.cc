#include "storage/object_store.h"

namespace mailpulse {

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return Status::Invalid("object key is empty");
  if (key.size() > 1024) return Status::Invalid("object key longer than 1024 bytes");
  if (key.front() == '/') return Status::Invalid("object key is absolute: " + std::string(key));
  size_t pos = 0;
  while (pos <= key.size()) {
    size_t slash = key.find('/', pos);
    if (slash == std::string_view::npos) slash = key.size();
    std::string_view seg = key.substr(pos, slash - pos);
    if (seg.empty()) return Status::Invalid("object key has an empty segment: " + std::string(key));
    if (seg == "." || seg == "..")
      return Status::Invalid("object key has a '" + std::string(seg) + "' segment");
    pos = slash + 1;
  }
  if (key.find('\0') != std::string_view::npos) return Status::Invalid("object key contains NUL");
  return Status::Ok();
}

}  // namespace mailpulse
