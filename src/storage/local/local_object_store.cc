#include "storage/local/local_object_store.h"

#include <unistd.h>

#include <algorithm>

namespace mailpulse {
namespace {

constexpr std::string_view kTmpPrefix = ".mp-tmp";

}  // namespace

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& root,
                                                                 FileSystem* fs) {
  if (root.empty()) return Status::Invalid("local object store: empty root directory");
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  MP_RETURN_IF_ERROR(fs->CreateDir(r));
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(r, fs));
}

Status LocalObjectStore::CheckKey(std::string_view key) const {
  MP_RETURN_IF_ERROR(ValidateObjectKey(key));
  size_t pos = 0;
  while (pos < key.size()) {
    if (key.substr(pos).starts_with(kTmpPrefix)) {
      return Status::Invalid("object key segment starts with the reserved \".mp-tmp\": " +
                             std::string(key));
    }
    size_t slash = key.find('/', pos);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return Status::Ok();
}

Status LocalObjectStore::EnsureParentDirs(std::string_view key) {
  std::string dir = root_;
  size_t pos = 0;
  for (size_t slash = key.find('/'); slash != std::string_view::npos; slash = key.find('/', pos)) {
    std::string parent = dir;
    dir = root_ + "/" + std::string(key.substr(0, slash));
    pos = slash + 1;
    Result<uint64_t> exists = fs_->FileSize(dir);
    if (exists.ok()) continue;
    if (exists.status().kind() != ErrorKind::kNotFound) return exists.status();
    MP_RETURN_IF_ERROR(fs_->CreateDir(dir));
    MP_RETURN_IF_ERROR(fs_->SyncDir(parent));
  }
  return Status::Ok();
}

Status LocalObjectStore::Put(std::string_view key, std::string_view data,
                             const PutOptions& /*options*/) {
  MP_RETURN_IF_ERROR(CheckKey(key));
  MP_RETURN_IF_ERROR(EnsureParentDirs(key));
  const std::string path = root_ + "/" + std::string(key);
  const std::string dir = DirName(path);
  const std::string tmp = dir + "/" + std::string(kTmpPrefix) + "-" + std::to_string(::getpid()) +
                          "-" + std::to_string(tmp_counter_.fetch_add(1));
  Status s = fs_->Remove(tmp);  // a leftover of a crashed process with our pid
  if (!s.ok() && s.kind() != ErrorKind::kNotFound) return s;
  s = [&]() -> Status {
    MP_ASSIGN_OR_RETURN(std::unique_ptr<AppendFile> file, fs_->OpenAppend(tmp));
    MP_RETURN_IF_ERROR(file->Append(data));
    return file->Sync();
  }();
  if (s.ok()) s = fs_->Rename(tmp, path);
  if (!s.ok()) {
    (void)fs_->Remove(tmp);
    return s;
  }
  return fs_->SyncDir(dir);
}

Result<std::unique_ptr<ReadableFile>> LocalObjectStore::OpenObject(std::string_view key) {
  MP_RETURN_IF_ERROR(CheckKey(key));
  const std::string path = root_ + "/" + std::string(key);
  // A directory opens fine with O_RDONLY but is no object: "a" when only "a/b" exists.
  if (fs_->ListDir(path).ok()) return Status::NotFound("no object " + std::string(key));
  Result<std::unique_ptr<ReadableFile>> file = fs_->OpenReadable(path);
  if (!file.ok() && file.status().kind() == ErrorKind::kNotFound) {
    return Status::NotFound("no object " + std::string(key));
  }
  return file;
}

Result<std::string> LocalObjectStore::Get(std::string_view key) {
  MP_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, OpenObject(key));
  MP_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string out(size, '\0');
  MP_ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, size, out.data()));
  out.resize(n);
  return out;
}

Result<std::string> LocalObjectStore::GetRange(std::string_view key, uint64_t offset,
                                               uint64_t length) {
  MP_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, OpenObject(key));
  MP_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (length == 0) return std::string();
  if (offset >= size) {
    return Status::Invalid("range not satisfiable: offset " + std::to_string(offset) + " of a " +
                           std::to_string(size) + "-byte object");
  }
  std::string out(std::min(length, size - offset), '\0');
  MP_ASSIGN_OR_RETURN(size_t n, file->ReadAt(offset, out.size(), out.data()));
  out.resize(n);
  return out;
}

struct LocalObjectStore::Walk {
  std::string_view prefix;
  std::string_view after;  // only keys strictly greater
  size_t want;             // max_keys + 1, to learn whether another page exists
  std::vector<ObjectInfo> found;
};

// Depth-first in key order: siblings sorted with directories compared as
// "name/", which is exactly the byte order of the full keys below them.
Status LocalObjectStore::WalkDir(const std::string& rel_dir, Walk* w) {
  Result<std::vector<std::string>> names =
      fs_->ListDir(rel_dir.empty() ? root_ : root_ + "/" + rel_dir);
  if (!names.ok())
    return names.status().kind() == ErrorKind::kNotFound ? Status::Ok() : names.status();
  struct Entry {
    std::string sort_key;  // full key, plus '/' for a directory
    bool is_dir;
  };
  std::vector<Entry> entries;
  for (const std::string& name : *names) {
    if (name.starts_with(kTmpPrefix)) continue;
    std::string key = rel_dir + name;
    // Keep only what can hold keys with the prefix: a match, or an ancestor of it.
    if (!key.starts_with(w->prefix) && !w->prefix.starts_with(key)) continue;
    bool is_dir = fs_->ListDir(root_ + "/" + key).ok();
    entries.push_back({is_dir ? key + "/" : key, is_dir});
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.sort_key < b.sort_key; });
  for (const Entry& e : entries) {
    if (w->found.size() >= w->want) break;
    if (e.is_dir) {
      // Everything below is > after unless the whole subtree sorts before it.
      if (e.sort_key < w->after && !w->after.starts_with(e.sort_key)) continue;
      MP_RETURN_IF_ERROR(WalkDir(e.sort_key, w));
      continue;
    }
    if (!e.sort_key.starts_with(w->prefix) || e.sort_key <= w->after) continue;
    Result<uint64_t> size = fs_->FileSize(root_ + "/" + e.sort_key);
    if (!size.ok()) {
      if (size.status().kind() == ErrorKind::kNotFound) continue;  // deleted meanwhile
      return size.status();
    }
    w->found.push_back({e.sort_key, *size});
  }
  return Status::Ok();
}

Result<ListPage> LocalObjectStore::List(std::string_view prefix,
                                        std::string_view continuation_token, int max_keys) {
  if (max_keys < 1 || max_keys > 1000) return Status::Invalid("max_keys must be 1..1000");
  Walk walk{prefix, continuation_token, static_cast<size_t>(max_keys) + 1, {}};
  MP_RETURN_IF_ERROR(WalkDir("", &walk));
  ListPage page;
  page.objects = std::move(walk.found);
  if (page.objects.size() > static_cast<size_t>(max_keys)) {
    page.objects.pop_back();
    page.next_token = page.objects.back().key;
  }
  return page;
}

Status LocalObjectStore::Delete(std::string_view key) {
  MP_RETURN_IF_ERROR(CheckKey(key));
  const std::string path = root_ + "/" + std::string(key);
  if (fs_->ListDir(path).ok()) return Status::Ok();  // a directory is no object
  Status s = fs_->Remove(path);
  if (s.kind() == ErrorKind::kNotFound) return Status::Ok();
  MP_RETURN_IF_ERROR(s);
  return fs_->SyncDir(DirName(path));
}

}  // namespace mailpulse
