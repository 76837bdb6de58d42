// ObjectStore: the lake's storage interface (S3's role). Delivery writes
// immutable objects through it; query reads them back.
//
// Contract, the same for every backend:
//  - Keys are non-empty UTF-8 strings of '/'-separated segments; no segment is
//    empty, "." or "..", and no key starts with '/'. Backends may add limits
//    (the local one reserves the ".mp-tmp" name prefix); violations are kInvalid.
//  - Put returns ok only once the object is durable (fsync'd, or acknowledged
//    by the remote store) and is atomic: readers see the old object or the
//    new one, never a prefix. Put overwrites.
//  - Get of an absent key is kNotFound. Delete of an absent key is ok
//    (S3's semantics), so a replayed delete is harmless.
//  - List returns keys in lexicographic (byte) order.
//  - Errors say what to do: kRetry (5xx, SlowDown, timeouts, connection
//    errors, ENOSPC), kFail (4xx, permanent), kNotFound, kInvalid (bad key),
//    kUnauthorized/kForbidden (credentials). Backends retry kRetry internally
//    per their RetryPolicy before returning it.
//
// Thread-safety: every method may be called concurrently from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailpulse {

struct PutOptions {
  std::string content_type = "application/octet-stream";
  std::string content_encoding;  // e.g. "gzip"; empty = none
};

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  bool operator==(const ObjectInfo&) const = default;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  // Pass to the next List call; empty when this is the last page.
  std::string next_token;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual Status Put(std::string_view key, std::string_view data, const PutOptions& options) = 0;
  Status Put(std::string_view key, std::string_view data) { return Put(key, data, PutOptions()); }
  virtual Result<std::string> Get(std::string_view key) = 0;
  // Bytes [offset, offset+length) clipped to the object's end. offset at or
  // past the end is kInvalid ("range not satisfiable"); length 0 reads nothing.
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) = 0;
  // Up to max_keys (1..1000) keys starting with `prefix` and greater than the
  // position continuation_token stands for ("" = from the start).
  virtual Result<ListPage> List(std::string_view prefix, std::string_view continuation_token,
                                int max_keys) = 0;
  virtual Status Delete(std::string_view key) = 0;

  // "file:///var/lake" or "s3://bucket/prefix", for logs.
  virtual std::string Describe() const = 0;
};

// The key rules above; kInvalid naming the problem. Shared by all backends.
Status ValidateObjectKey(std::string_view key);

}  // namespace mailpulse
