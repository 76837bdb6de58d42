// Chooses the lake's ObjectStore backend from a URL, through one table
// (object_store_registry.cc) of scheme -> opener:
//
//   ""                      local directory `default_local_dir`
//   PATH, file://PATH       local directory PATH
//   s3://BUCKET[/PREFIX]?…  S3 or an S3-compatible server (see ParseS3Url),
//                           credentials from the environment / shared file
//
// Unknown schemes are kInvalid and name the known ones. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/object_store.h"

namespace mailpulse {

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view url,
                                                     const std::string& default_local_dir);

struct ObjectStoreScheme {
  const char* scheme;  // "file", "s3"
  const char* example;
  const char* description;
};
// The registry's rows, for --help and docs.
std::vector<ObjectStoreScheme> ObjectStoreSchemes();

}  // namespace mailpulse
