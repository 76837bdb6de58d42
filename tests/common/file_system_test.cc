#include "common/file_system.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "common/fault_injection_file_system.h"

namespace mailpulse {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mp-fs-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileSystemTest, AppendReadSizeTruncate) {
  FileSystem* fs = FileSystem::Default();
  std::string path = dir_ + "/f";
  auto f = fs->OpenAppend(path);
  ASSERT_TRUE(f.ok());
  std::string_view parts[] = {"hello ", "", "world"};
  ASSERT_TRUE((*f)->Append(parts).ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ((*f)->Size(), 11u);
  EXPECT_EQ(*ReadFileToString(*fs, path), "hello world");
  ASSERT_TRUE((*f)->Truncate(5).ok());
  ASSERT_TRUE((*f)->Append(std::string_view("!")).ok());
  EXPECT_EQ(*ReadFileToString(*fs, path), "hello!");
  auto r = fs->OpenReadable(path);
  char buf[8];
  EXPECT_EQ(*(*r)->ReadAt(4, 8, buf), 2u);
  EXPECT_EQ(std::string(buf, 2), "o!");
}

TEST_F(FileSystemTest, MissingFileIsNotFound) {
  EXPECT_EQ(FileSystem::Default()->OpenReadable(dir_ + "/nope").status().kind(),
            ErrorKind::kNotFound);
  EXPECT_EQ(FileSystem::Default()->ListDir(dir_ + "/nope").status().kind(), ErrorKind::kNotFound);
}

TEST_F(FileSystemTest, CreateDirIsRecursiveAndIdempotent) {
  FileSystem* fs = FileSystem::Default();
  ASSERT_TRUE(fs->CreateDir(dir_ + "/a/b/c").ok());
  ASSERT_TRUE(fs->CreateDir(dir_ + "/a/b/c").ok());
  auto names = fs->ListDir(dir_ + "/a");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"b"});
}

TEST_F(FileSystemTest, WriteFileAtomicallyReplaces) {
  FileSystem* fs = FileSystem::Default();
  ASSERT_TRUE(WriteFileAtomically(*fs, dir_ + "/x", "one").ok());
  ASSERT_TRUE(WriteFileAtomically(*fs, dir_ + "/x", "two").ok());
  EXPECT_EQ(*ReadFileToString(*fs, dir_ + "/x"), "two");
  EXPECT_EQ(fs->ListDir(dir_)->size(), 1u);  // no temp left behind
}

TEST_F(FileSystemTest, FaultDropUnsyncedData) {
  FaultInjectingFileSystem fs;
  auto f = fs.OpenAppend(dir_ + "/f");
  ASSERT_TRUE((*f)->Append(std::string_view("durable")).ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append(std::string_view("-lost")).ok());
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(*ReadFileToString(fs, dir_ + "/f"), "durable");
}

TEST_F(FileSystemTest, FaultFailNextSync) {
  FaultInjectingFileSystem fs;
  auto f = fs.OpenAppend(dir_ + "/f");
  fs.FailNextSyncs(1);
  ASSERT_TRUE((*f)->Append(std::string_view("x")).ok());
  EXPECT_EQ((*f)->Sync().kind(), ErrorKind::kRetry);
  EXPECT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(fs.sync_count(), 2);
}

TEST_F(FileSystemTest, FaultNoSpace) {
  FaultInjectingFileSystem fs;
  auto f = fs.OpenAppend(dir_ + "/f");
  fs.FailNextAppends(1, ENOSPC);
  Status s = (*f)->Append(std::string_view("x"));
  EXPECT_EQ(s.kind(), ErrorKind::kRetry);
  EXPECT_NE(s.message().find("No space"), std::string::npos);
  EXPECT_EQ((*f)->Size(), 0u);
}

TEST_F(FileSystemTest, FaultTornWriteLeavesPrefix) {
  FaultInjectingFileSystem fs;
  auto f = fs.OpenAppend(dir_ + "/f");
  fs.TearNextAppend(3);
  std::string_view parts[] = {"ab", "cdef"};
  EXPECT_FALSE((*f)->Append(parts).ok());
  EXPECT_EQ(*ReadFileToString(fs, dir_ + "/f"), "abc");
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(*ReadFileToString(fs, dir_ + "/f"), "");
}

TEST_F(FileSystemTest, FaultRenameCarriesSyncState) {
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(WriteFileAtomically(fs, dir_ + "/meta", "v1").ok());
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(*ReadFileToString(fs, dir_ + "/meta"), "v1");
}

}  // namespace
}  // namespace mailpulse
