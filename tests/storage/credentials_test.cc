#include "storage/s3/credentials.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "storage_test_util.h"

namespace mailpulse {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kFile[] =
    "# comment\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=secret/default+key\r\n"
    "\n"
    "[profile ci]\n"
    "  aws_access_key_id=AKIDCI  \n"
    "aws_secret_access_key = ci-secret\n"
    "aws_session_token = tok==\n"
    "region = eu-west-1\n"
    "[broken]\n"
    "aws_access_key_id = only-id\n";

TEST(CredentialsTest, ParsesProfiles) {
  AwsCredentials d = ParseCredentialsFile(kFile, "default").value();
  EXPECT_EQ(d.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(d.secret_access_key, "secret/default+key");
  EXPECT_EQ(d.session_token, "");
  AwsCredentials ci = ParseCredentialsFile(kFile, "ci").value();
  EXPECT_EQ(ci.access_key_id, "AKIDCI");
  EXPECT_EQ(ci.secret_access_key, "ci-secret");
  EXPECT_EQ(ci.session_token, "tok==");
  EXPECT_EQ(ParseCredentialsFile(kFile, "absent").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(ParseCredentialsFile(kFile, "broken").status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(ParseCredentialsFile("[default\nx=y\n", "default").status().kind(),
            ErrorKind::kInvalid);
}

TEST(CredentialsTest, EnvironmentWins) {
  testing::ScratchDir dir;
  std::ofstream(dir.path() + "/creds") << kFile;
  AwsCredentials c =
      LoadAwsCredentials(FakeEnv({{"AWS_ACCESS_KEY_ID", "ENVID"},
                                  {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                  {"AWS_SESSION_TOKEN", "envtok"},
                                  {"AWS_SHARED_CREDENTIALS_FILE", dir.path() + "/creds"}}))
          .value();
  EXPECT_EQ(c.access_key_id, "ENVID");
  EXPECT_EQ(c.secret_access_key, "envsecret");
  EXPECT_EQ(c.session_token, "envtok");
  EXPECT_EQ(c.source, "environment");
}

TEST(CredentialsTest, SharedFileWithProfile) {
  testing::ScratchDir dir;
  std::ofstream(dir.path() + "/creds") << kFile;
  AwsCredentials c =
      LoadAwsCredentials(FakeEnv({{"AWS_ACCESS_KEY_ID", "half-set-is-ignored"},
                                  {"AWS_PROFILE", "ci"},
                                  {"AWS_SHARED_CREDENTIALS_FILE", dir.path() + "/creds"}}))
          .value();
  EXPECT_EQ(c.access_key_id, "AKIDCI");
  EXPECT_EQ(c.source, "profile ci in " + dir.path() + "/creds");
}

TEST(CredentialsTest, HomeDefaultPathAndProfile) {
  testing::ScratchDir dir;
  std::filesystem::create_directories(dir.path() + "/.aws");
  std::ofstream(dir.path() + "/.aws/credentials") << kFile;
  AwsCredentials c = LoadAwsCredentials(FakeEnv({{"HOME", dir.path()}})).value();
  EXPECT_EQ(c.access_key_id, "AKIDDEFAULT");
}

TEST(CredentialsTest, NothingFoundIsUnauthorized) {
  testing::ScratchDir dir;
  Status s = LoadAwsCredentials(FakeEnv({{"HOME", dir.path()}})).status();
  EXPECT_EQ(s.kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(s.message(),
            "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY unset; cannot read " +
                dir.path() + "/.aws/credentials");
  std::ofstream(dir.path() + "/c") << kFile;
  Status missing = LoadAwsCredentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", dir.path() + "/c"},
                                               {"AWS_PROFILE", "nope"}}))
                       .status();
  EXPECT_EQ(missing.kind(), ErrorKind::kUnauthorized);
  EXPECT_NE(missing.message().find("no profile [nope]"), std::string::npos);
  Status broken = LoadAwsCredentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", dir.path() + "/c"},
                                              {"AWS_PROFILE", "broken"}}))
                      .status();
  EXPECT_EQ(broken.kind(), ErrorKind::kInvalid);
}

}  // namespace
}  // namespace mailpulse
