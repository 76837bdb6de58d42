// Helpers shared by the object store tests: a scratch directory and list-everything.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "storage/object_store.h"

namespace mailpulse::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-storage-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
    EXPECT_FALSE(path_.empty());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every key under prefix, following continuation tokens page by page; also
// counts the pages.
inline std::vector<ObjectInfo> ListAll(ObjectStore& store, const std::string& prefix, int page_size,
                                       int* pages = nullptr) {
  std::vector<ObjectInfo> all;
  std::string token;
  int n = 0;
  do {
    Result<ListPage> page = store.List(prefix, token, page_size);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    EXPECT_LE(page->objects.size(), static_cast<size_t>(page_size));
    all.insert(all.end(), page->objects.begin(), page->objects.end());
    token = page->next_token;
    ++n;
  } while (!token.empty() && n < 10000);
  if (pages != nullptr) *pages = n;
  return all;
}

}  // namespace mailpulse::testing
