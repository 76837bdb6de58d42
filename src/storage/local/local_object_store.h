// LocalObjectStore: the embedded lake, one file per object under a root
// directory (key "a/b/c" is file ROOT/a/b/c).
//
// Durability: Put writes ROOT/<dir>/.mp-tmp-<pid>-<n>, fdatasyncs it, renames
// it over the key's file and fsyncs the directory; missing parent directories
// are created and each new one is made durable by fsyncing its parent. So a
// crash leaves the old object or the new one, plus possibly a stray temp file
// that List never shows. Delete fsyncs the directory too.
//
// Limits beyond ObjectStore's key rules: no key segment may start with
// ".mp-tmp" (reserved for temp files), and a key cannot also be a "directory"
// of another key ("a" and "a/b" cannot both exist; the second Put fails).
//
// All file access goes through the FileSystem seam (tests inject faults).
// Thread-safe: concurrent Puts of the same key each land atomically, the last
// rename wins.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/file_system.h"
#include "storage/object_store.h"

namespace mailpulse {

class LocalObjectStore final : public ObjectStore {
 public:
  // Creates `root` (mkdir -p) if missing. fs must outlive the store.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& root,
                                                        FileSystem* fs = FileSystem::Default());

  Status Put(std::string_view key, std::string_view data, const PutOptions& options) override;
  using ObjectStore::Put;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ListPage> List(std::string_view prefix, std::string_view continuation_token,
                        int max_keys) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override { return "file://" + root_; }

 private:
  LocalObjectStore(std::string root, FileSystem* fs) : root_(std::move(root)), fs_(fs) {}

  Status CheckKey(std::string_view key) const;
  // mkdir of each missing directory of `key`'s parent chain, each made durable.
  Status EnsureParentDirs(std::string_view key);
  Result<std::unique_ptr<ReadableFile>> OpenObject(std::string_view key);
  struct Walk;
  Status WalkDir(const std::string& rel_dir, Walk* walk);

  const std::string root_;
  FileSystem* const fs_;
  std::atomic<uint64_t> tmp_counter_{0};
};

}  // namespace mailpulse
