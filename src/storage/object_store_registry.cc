#include "storage/object_store_registry.h"

#include "storage/local/local_object_store.h"
#include "storage/s3/credentials.h"
#include "storage/s3/s3_object_store.h"

namespace mailpulse {
namespace {

using Opener = Result<std::unique_ptr<ObjectStore>> (*)(std::string_view url);

Result<std::unique_ptr<ObjectStore>> OpenLocal(std::string_view url) {
  std::string_view path = url;
  if (path.starts_with("file://")) path.remove_prefix(7);
  MP_ASSIGN_OR_RETURN(std::unique_ptr<LocalObjectStore> store,
                      LocalObjectStore::Open(std::string(path)));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

Result<std::unique_ptr<ObjectStore>> OpenS3(std::string_view url) {
  EnvLookup env = ProcessEnv();
  MP_ASSIGN_OR_RETURN(S3Options options, ParseS3Url(url, env));
  MP_ASSIGN_OR_RETURN(AwsCredentials creds, LoadAwsCredentials(env));
  MP_ASSIGN_OR_RETURN(std::unique_ptr<S3ObjectStore> store,
                      S3ObjectStore::Open(std::move(options), creds));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

struct Row {
  ObjectStoreScheme info;
  Opener open;
};

const Row kRegistry[] = {
    {{"file", "file:///var/lib/mailpulse/lake", "a local directory (also: a plain path)"},
     OpenLocal},
    {{"s3", "s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true",
      "Amazon S3 or an S3-compatible server"},
     OpenS3},
};

}  // namespace

std::vector<ObjectStoreScheme> ObjectStoreSchemes() {
  std::vector<ObjectStoreScheme> out;
  for (const Row& r : kRegistry) out.push_back(r.info);
  return out;
}

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view url,
                                                     const std::string& default_local_dir) {
  if (url.empty()) return OpenLocal(default_local_dir);
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return OpenLocal(url);  // a plain path
  std::string_view scheme = url.substr(0, sep);
  std::string known;
  for (const Row& r : kRegistry) {
    if (scheme == r.info.scheme) return r.open(url);
    known += known.empty() ? "" : ", ";
    known += std::string(r.info.scheme) + "://";
  }
  return Status::Invalid("unknown object store scheme '" + std::string(scheme) +
                         "://' (known: " + known + ")");
}

}  // namespace mailpulse
