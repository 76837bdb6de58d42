// S3ObjectStore against a real S3-protocol server: s3rver from npm, started
// by tests/tools/s3rver-start.mjs, which also verifies every request's SigV4
// signature with the AWS SDK for JavaScript's signer and the body checksums.
// Objects are then read and written with @aws-sdk/client-s3
// (tests/tools/s3-sdk.mjs) to prove interoperability with the official client.
// Skipped only when node_modules is missing (`make deps` installs it).
#include "storage/s3/s3_object_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/sha256.h"
#include "storage_test_util.h"

namespace mailpulse {
namespace {

using testing::ListAll;
using testing::ScratchDir;

const std::string kRepo =
    std::filesystem::path(MAILPULSE_TEST_DATA).parent_path().parent_path().string();
constexpr char kBucket[] = "mailpulse-test";

std::vector<std::string> Keys(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> keys;
  for (const ObjectInfo& o : objects) keys.push_back(o.key);
  return keys;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a command, returns its stdout (trailing newline stripped).
std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class S3ObjectStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kRepo + "/node_modules/s3rver") ||
        !std::filesystem::exists(kRepo + "/node_modules/@aws-sdk/client-s3")) {
      skip_ = "node_modules missing: run `make deps` (npm ci) to test against s3rver";
      return;
    }
    dir_ = new ScratchDir();
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::string script = kRepo + "/tests/tools/s3rver-start.mjs";
      // s3rver makes its continuation tokens with DES, which OpenSSL 3 keeps in its legacy
      // provider.
      execlp("node", "node", "--openssl-legacy-provider", script.c_str(), dir_->path().c_str(), "0",
             kBucket, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    pollfd pfd{fds[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && poll(&pfd, 1, 30'000) > 0) {
      char buf[256];
      ssize_t n = read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    if (line.rfind("ready ", 0) == 0) port_ = std::stoi(line.substr(6));
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = 0;
    }
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_GT(port_, 0) << "s3rver did not print 'ready PORT'";
  }

  static std::string Endpoint() { return "http://127.0.0.1:" + std::to_string(port_); }

  static S3Options Options(const std::string& prefix) {
    S3Options o;
    o.bucket = kBucket;
    o.prefix = prefix;
    o.endpoint = Endpoint();
    o.path_style = true;
    o.retry = RetryPolicy{3, 10, 50};
    return o;
  }

  static std::unique_ptr<S3ObjectStore> Open(S3Options o, std::string secret = "S3RVER") {
    auto s =
        S3ObjectStore::Open(std::move(o), AwsCredentials{"S3RVER", std::move(secret), "", "test"});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }

  // {"size":N,"sha256":"..."} of an object as the AWS SDK reads it.
  static std::string SdkGet(const std::string& full_key) {
    return RunCommand("NODE_NO_WARNINGS=1 node " + Quote(kRepo + "/tests/tools/s3-sdk.mjs") + " " +
                      Endpoint() + " " + kBucket + " get " + Quote(full_key));
  }
  static std::string SdkPut(const std::string& full_key, const std::string& data) {
    std::string file = dir_->path() + "/sdk-upload";
    std::ofstream(file, std::ios::binary) << data;
    return RunCommand("NODE_NO_WARNINGS=1 node " + Quote(kRepo + "/tests/tools/s3-sdk.mjs") + " " +
                      Endpoint() + " " + kBucket + " put " + Quote(full_key) + " " + Quote(file));
  }
  static std::string Summary(const std::string& data, const std::string& content_type) {
    return "{\"size\":" + std::to_string(data.size()) + ",\"sha256\":\"" + HexEncode(Sha256(data)) +
           "\",\"contentType\":\"" + content_type + "\"}";
  }

  static inline std::string skip_;
  static inline ScratchDir* dir_ = nullptr;
  static inline pid_t pid_ = 0;
  static inline int port_ = 0;
};

TEST_F(S3ObjectStoreTest, PutGetDelete) {
  auto store = Open(Options("basic/"));
  EXPECT_EQ(store->Describe(), "s3://mailpulse-test/basic/ at " + Endpoint());
  EXPECT_EQ(store->Get("k").status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE(store->Put("k", "hello s3").ok());
  EXPECT_EQ(store->Get("k").value(), "hello s3");
  ASSERT_TRUE(store->Put("k", "overwritten").ok());
  EXPECT_EQ(store->Get("k").value(), "overwritten");
  ASSERT_TRUE(store->Put("empty", "").ok());
  EXPECT_EQ(store->Get("empty").value(), "");
  ASSERT_TRUE(store->Delete("k").ok());
  EXPECT_EQ(store->Get("k").status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(store->Delete("k").ok());
  EXPECT_EQ(store->Put("bad//key", "x").kind(), ErrorKind::kInvalid);
}

TEST_F(S3ObjectStoreTest, GetRange) {
  auto store = Open(Options("range/"));
  ASSERT_TRUE(store->Put("k", "0123456789").ok());
  EXPECT_EQ(store->GetRange("k", 2, 3).value(), "234");
  EXPECT_EQ(store->GetRange("k", 8, 100).value(), "89");
  EXPECT_EQ(store->GetRange("k", 4, 0).value(), "");
  EXPECT_EQ(store->GetRange("k", 10, 5).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(store->GetRange("nope", 0, 5).status().kind(), ErrorKind::kNotFound);
}

TEST_F(S3ObjectStoreTest, ListPaginatesAndIsolatesPrefixes) {
  auto store = Open(Options("list/"));
  auto other = Open(Options("list-other/"));
  std::vector<std::string> want;
  for (int i = 0; i < 7; ++i) {
    std::string key = "dt=2024-05-01/part-" + std::to_string(i) + ".jsonl";
    ASSERT_TRUE(store->Put(key, std::string(static_cast<size_t>(i), 'x')).ok());
    want.push_back(key);
  }
  ASSERT_TRUE(store->Put("zz-other-prefix", "x").ok());
  ASSERT_TRUE(other->Put("dt=2024-05-01/not-mine", "x").ok());
  int pages = 0;
  std::vector<ObjectInfo> got = ListAll(*store, "dt=", 3, &pages);
  EXPECT_EQ(Keys(got), want);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[5], (ObjectInfo{"dt=2024-05-01/part-5.jsonl", 5}));
  EXPECT_EQ(ListAll(*store, "", 1000).size(), 8u);
  EXPECT_EQ(Keys(ListAll(*other, "", 1000)), (std::vector<std::string>{"dt=2024-05-01/not-mine"}));
}

TEST_F(S3ObjectStoreTest, MultipartUploadReadableBySdk) {
  S3Options o = Options("mpu/");
  o.multipart_threshold =
      100 << 10;  // real S3 would need parts >= 5 MiB; s3rver does not enforce it
  o.part_size = 64 << 10;
  auto store = Open(o);
  std::string data;
  data.reserve(300'001);
  for (size_t i = 0; i < 300'001; ++i) data.push_back(static_cast<char>((i * 2654435761u) >> 13));
  PutOptions put;
  put.content_type = "application/x-ndjson";
  ASSERT_TRUE(store->Put("big.bin", data, put).ok());  // 5 parts, the last one short
  EXPECT_EQ(store->Get("big.bin").value(), data);
  EXPECT_EQ(SdkGet("mpu/big.bin"), Summary(data, "application/x-ndjson"));
  Result<ListPage> page = store->List("big", "", 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->objects, (std::vector<ObjectInfo>{{"big.bin", 300'001}}));
}

TEST_F(S3ObjectStoreTest, InteroperatesWithAwsSdkOnAwkwardKeys) {
  auto store = Open(Options("interop/"));
  const std::string ours = "dir with space/a+b=c&d~(e)*!'\xC3\xA9.txt";
  PutOptions put;
  put.content_type = "text/plain";
  ASSERT_TRUE(store->Put(ours, "written by mailpulse", put).ok());
  EXPECT_EQ(SdkGet("interop/" + ours), Summary("written by mailpulse", "text/plain"));

  const std::string theirs = "sdk/%2F encoded?&#.json";
  ASSERT_NE(SdkPut("interop/" + theirs, "written by the AWS SDK"), "");
  EXPECT_EQ(store->Get(theirs).value(), "written by the AWS SDK");
  std::vector<ObjectInfo> all = ListAll(*store, "", 1);
  EXPECT_EQ(Keys(all), (std::vector<std::string>{ours, theirs}));
}

TEST_F(S3ObjectStoreTest, VirtualHostedAddressing) {
  S3Options o = Options("vhost/");
  o.endpoint =
      "http://s3.localhost:" + std::to_string(port_);  // curl resolves *.localhost to loopback
  o.path_style = false;
  auto store = Open(o);
  ASSERT_TRUE(store->Put("k", "virtual").ok());
  EXPECT_EQ(store->Get("k").value(), "virtual");
  EXPECT_EQ(Keys(ListAll(*store, "", 10)), (std::vector<std::string>{"k"}));
  EXPECT_EQ(SdkGet("vhost/k"), Summary("virtual", "application/octet-stream"));
}

TEST_F(S3ObjectStoreTest, WrongSecretIsForbiddenWithS3Code) {
  auto store = Open(Options("auth/"), "wrong-secret");
  Status s = store->Put("k", "x");
  EXPECT_EQ(s.kind(), ErrorKind::kForbidden);
  EXPECT_NE(s.message().find(
                "PUT auth/k: HTTP 403 SignatureDoesNotMatch: The request signature we calculated"),
            std::string::npos)
      << s.message();
}

TEST_F(S3ObjectStoreTest, MissingBucketFails) {
  S3Options o = Options("");
  o.bucket = "no-such-bucket";
  Status s = Open(o)->Put("k", "x");
  EXPECT_EQ(s.kind(), ErrorKind::kFail) << s.ToString();
  EXPECT_NE(s.message().find("NoSuchBucket"), std::string::npos) << s.message();
}

// No server needed: a closed port is a connection error, retried then given up.
TEST(S3ObjectStoreRetryTest, ConnectionRefusedIsRetried) {
  S3Options o;
  o.bucket = "b";
  o.endpoint = "http://127.0.0.1:1";
  o.path_style = true;
  o.retry = RetryPolicy{3, 100, 1000};
  std::vector<int64_t> sleeps;
  auto store = S3ObjectStore::Open(o, AwsCredentials{"id", "secret", "", "test"}, &Clock::System(),
                                   [&](int64_t ms) { sleeps.push_back(ms); })
                   .value();
  Status s = store->Put("k", "x");
  EXPECT_EQ(s.kind(), ErrorKind::kRetry) << s.ToString();
  EXPECT_NE(s.message().find("(gave up after 3 attempts)"), std::string::npos) << s.message();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_GE(sleeps[0], 50);
  EXPECT_LT(sleeps[0], 100);
  EXPECT_GE(sleeps[1], 100);
  EXPECT_LT(sleeps[1], 200);
}

}  // namespace
}  // namespace mailpulse
