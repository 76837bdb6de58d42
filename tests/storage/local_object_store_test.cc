#include "storage/local/local_object_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fault_injection_file_system.h"
#include "storage_test_util.h"

namespace mailpulse {
namespace {

using testing::ListAll;
using testing::ScratchDir;

std::unique_ptr<LocalObjectStore> OpenStore(const std::string& root,
                                            FileSystem* fs = FileSystem::Default()) {
  Result<std::unique_ptr<LocalObjectStore>> s = LocalObjectStore::Open(root, fs);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

std::vector<std::string> Keys(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> keys;
  for (const ObjectInfo& o : objects) keys.push_back(o.key);
  return keys;
}

TEST(LocalObjectStoreTest, PutGetOverwriteDelete) {
  ScratchDir dir;
  auto store = OpenStore(dir.path() + "/lake");
  ASSERT_TRUE(store->Put("a/b/c.jsonl", "hello").ok());
  EXPECT_EQ(store->Get("a/b/c.jsonl").value(), "hello");
  ASSERT_TRUE(store->Put("a/b/c.jsonl", "replaced, longer").ok());
  EXPECT_EQ(store->Get("a/b/c.jsonl").value(), "replaced, longer");
  ASSERT_TRUE(store->Put("empty", "").ok());
  EXPECT_EQ(store->Get("empty").value(), "");
  ASSERT_TRUE(store->Delete("a/b/c.jsonl").ok());
  EXPECT_EQ(store->Get("a/b/c.jsonl").status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(store->Delete("a/b/c.jsonl").ok()) << "deleting an absent key is ok";
  EXPECT_EQ(store->Describe(), "file://" + dir.path() + "/lake");
}

TEST(LocalObjectStoreTest, GetMissingIsNotFound) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  EXPECT_EQ(store->Get("nope").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store->Get("no/such/dir/key").status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE(store->Put("d/x", "1").ok());
  EXPECT_EQ(store->Get("d").status().kind(), ErrorKind::kNotFound)
      << "a directory is not an object";
  EXPECT_EQ(store->GetRange("nope", 0, 1).status().kind(), ErrorKind::kNotFound);
}

TEST(LocalObjectStoreTest, BinaryDataRoundTrips) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::string data;
  for (int i = 0; i < 70000; ++i) data.push_back(static_cast<char>(i * 131));
  ASSERT_TRUE(store->Put("bin", data).ok());
  EXPECT_EQ(store->Get("bin").value(), data);
}

TEST(LocalObjectStoreTest, GetRange) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store->Put("k", "0123456789").ok());
  EXPECT_EQ(store->GetRange("k", 0, 3).value(), "012");
  EXPECT_EQ(store->GetRange("k", 7, 100).value(), "789");
  EXPECT_EQ(store->GetRange("k", 9, 1).value(), "9");
  EXPECT_EQ(store->GetRange("k", 3, 0).value(), "");
  EXPECT_EQ(store->GetRange("k", 10, 1).status().kind(), ErrorKind::kInvalid);
}

TEST(LocalObjectStoreTest, RejectsBadKeys) {
  ScratchDir dir;
  auto store = OpenStore(dir.path() + "/root");
  for (std::string_view key : {"", "/abs", "a//b", "a/", "..", "../escape", "a/../../b", "a/./b",
                               ".", ".mp-tmp-1-2", "x/.mp-tmp"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(store->Put(key, "x").kind(), ErrorKind::kInvalid);
    EXPECT_EQ(store->Get(key).status().kind(), ErrorKind::kInvalid);
    EXPECT_EQ(store->Delete(key).kind(), ErrorKind::kInvalid);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/escape"));
  EXPECT_TRUE(store->Put("ok/.hidden-but-fine", "x").ok());
  EXPECT_TRUE(store->Put("a..b/c.", "x").ok());
}

TEST(LocalObjectStoreTest, KeyCannotBeBothFileAndDirectory) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store->Put("a", "file").ok());
  EXPECT_FALSE(store->Put("a/b", "x").ok());
  EXPECT_EQ(store->Get("a").value(), "file");
}

TEST(LocalObjectStoreTest, ListIsLexicographicAcrossDirectories) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  // '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f): a naive directory walk gets these wrong.
  for (std::string key : {"a/b", "a-c", "a.d", "a0", "b", "a/a/z", "A", "a/b2"}) {
    ASSERT_TRUE(store->Put(key, key + "!").ok()) << key;
  }
  std::vector<ObjectInfo> all = ListAll(*store, "", 1000);
  EXPECT_EQ(Keys(all),
            (std::vector<std::string>{"A", "a-c", "a.d", "a/a/z", "a/b", "a/b2", "a0", "b"}));
  EXPECT_EQ(all[0], (ObjectInfo{"A", 2}));
  EXPECT_EQ(all[3], (ObjectInfo{"a/a/z", 6}));
  EXPECT_EQ(Keys(ListAll(*store, "a/", 1000)), (std::vector<std::string>{"a/a/z", "a/b", "a/b2"}));
  EXPECT_EQ(Keys(ListAll(*store, "a/b", 1000)), (std::vector<std::string>{"a/b", "a/b2"}));
  EXPECT_EQ(Keys(ListAll(*store, "a", 1000)),
            (std::vector<std::string>{"a-c", "a.d", "a/a/z", "a/b", "a/b2", "a0"}));
  EXPECT_TRUE(ListAll(*store, "zzz", 1000).empty());
}

TEST(LocalObjectStoreTest, ListPaginatesByToken) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::vector<std::string> want;
  for (int d = 0; d < 3; ++d) {
    for (int f = 0; f < 4; ++f) {
      std::string key =
          "dt=2024-05-0" + std::to_string(d + 1) + "/part-" + std::to_string(f) + ".jsonl";
      ASSERT_TRUE(store->Put(key, "x").ok());
      want.push_back(key);
    }
  }
  ASSERT_TRUE(store->Put("other/x", "x").ok());
  int pages = 0;
  EXPECT_EQ(Keys(ListAll(*store, "dt=", 5, &pages)), want);
  EXPECT_EQ(pages, 3);
  Result<ListPage> first = store->List("dt=", "", 4);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->next_token, "dt=2024-05-01/part-3.jsonl");
  // Exactly max_keys left: the last page says so with an empty token.
  Result<ListPage> last = store->List("dt=", "dt=2024-05-02/part-3.jsonl", 4);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->objects.size(), 4u);
  EXPECT_EQ(last->next_token, "");
  EXPECT_EQ(store->List("", "", 0).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(store->List("", "", 1001).status().kind(), ErrorKind::kInvalid);
}

TEST(LocalObjectStoreTest, ListSkipsTempFilesAndMissingRoot) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store->Put("d/real", "x").ok());
  std::ofstream(dir.path() + "/d/.mp-tmp-999-0") << "partial";
  EXPECT_EQ(Keys(ListAll(*store, "", 10)), (std::vector<std::string>{"d/real"}));
}

TEST(LocalObjectStoreTest, FailedSyncLeavesOldObjectAndNoTemp) {
  ScratchDir dir;
  FaultInjectingFileSystem fs;
  auto store = OpenStore(dir.path(), &fs);
  ASSERT_TRUE(store->Put("k", "old").ok());
  fs.FailNextSyncs(1);
  Status s = store->Put("k", "new");
  EXPECT_EQ(s.kind(), ErrorKind::kRetry) << s.ToString();
  EXPECT_EQ(store->Get("k").value(), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1)
      << "temp file removed";
}

TEST(LocalObjectStoreTest, PutIsSyncedBeforeRename) {
  ScratchDir dir;
  FaultInjectingFileSystem fs;
  auto store = OpenStore(dir.path(), &fs);
  ASSERT_TRUE(store->Put("x/y/z", "durable").ok());
  // Power loss right after Put returned: the synced data survives.
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(store->Get("x/y/z").value(), "durable");
  EXPECT_GE(fs.sync_count(), 1);
}

TEST(LocalObjectStoreTest, TornWriteNeverVisible) {
  ScratchDir dir;
  FaultInjectingFileSystem fs;
  auto store = OpenStore(dir.path(), &fs);
  ASSERT_TRUE(store->Put("k", "version-1").ok());
  fs.FailNextAppends(1, ENOSPC);
  EXPECT_EQ(store->Put("k", "version-2-much-longer").kind(), ErrorKind::kRetry);
  EXPECT_EQ(store->Get("k").value(), "version-1");
  EXPECT_EQ(Keys(ListAll(*store, "", 10)), (std::vector<std::string>{"k"}));
}

}  // namespace
}  // namespace mailpulse
