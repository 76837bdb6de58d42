#include "storage/object_store_registry.h"

#include <gtest/gtest.h>

#include "storage_test_util.h"

namespace mailpulse {
namespace {

TEST(ObjectStoreRegistryTest, LocalForms) {
  testing::ScratchDir dir;
  auto def = OpenObjectStore("", dir.path() + "/default");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ((*def)->Describe(), "file://" + dir.path() + "/default");
  auto plain = OpenObjectStore(dir.path() + "/plain", "unused");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->Describe(), "file://" + dir.path() + "/plain");
  auto file = OpenObjectStore("file://" + dir.path() + "/url/", "unused");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->Describe(), "file://" + dir.path() + "/url");
  ASSERT_TRUE((*file)->Put("k", "v").ok());
  EXPECT_EQ((*file)->Get("k").value(), "v");
}

TEST(ObjectStoreRegistryTest, UnknownSchemeNamesKnownOnes) {
  Status s = OpenObjectStore("gs://bucket", "x").status();
  EXPECT_EQ(s.kind(), ErrorKind::kInvalid);
  EXPECT_EQ(s.message(), "unknown object store scheme 'gs://' (known: file://, s3://)");
  EXPECT_EQ(OpenObjectStore("s3://Bad_Bucket", "x").status().kind(), ErrorKind::kInvalid);
}

TEST(ObjectStoreRegistryTest, SchemesTable) {
  std::vector<ObjectStoreScheme> schemes = ObjectStoreSchemes();
  ASSERT_EQ(schemes.size(), 2u);
  EXPECT_STREQ(schemes[0].scheme, "file");
  EXPECT_STREQ(schemes[1].scheme, "s3");
}

}  // namespace
}  // namespace mailpulse
