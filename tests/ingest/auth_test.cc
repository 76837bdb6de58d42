#include "ingest/auth.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace mailpulse {
namespace {

std::string BasicHeader(std::string_view user_pass) { return "Basic " + Base64Encode(user_pass); }

TEST(WebhookAuthTest, DisabledAcceptsAnything) {
  WebhookAuth auth = WebhookAuth::Create("", {}).value();
  EXPECT_FALSE(auth.enabled());
  EXPECT_TRUE(auth.Check("").ok());
  EXPECT_TRUE(auth.Check("Basic garbage").ok());
}

TEST(WebhookAuthTest, BasicAuth) {
  WebhookAuth auth = WebhookAuth::Create("sendgrid:s3cret:with:colons", {}).value();
  EXPECT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.Check(BasicHeader("sendgrid:s3cret:with:colons")).ok());
  EXPECT_TRUE(auth.Check("basic " + Base64Encode("sendgrid:s3cret:with:colons")).ok());
  Status missing = auth.Check("");
  EXPECT_EQ(missing.kind(), ErrorKind::kUnauthorized);
  EXPECT_EQ(missing.message(), "missing Authorization header");
  EXPECT_EQ(auth.Check(BasicHeader("sendgrid:s3cret")).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check(BasicHeader("sendgrid:s3cret:with:colonsX")).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check("Basic not-base64!").kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check("Bearer sendgrid:s3cret:with:colons").kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check("Basic").kind(), ErrorKind::kForbidden);
}

TEST(WebhookAuthTest, BearerTokens) {
  WebhookAuth auth = WebhookAuth::Create("", {"tok-one", "tok-two"}).value();
  EXPECT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.Check("Bearer tok-one").ok());
  EXPECT_TRUE(auth.Check("Bearer tok-two").ok());
  EXPECT_TRUE(auth.Check("bearer  tok-two ").ok());
  EXPECT_EQ(auth.Check("Bearer tok-three").kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check("Bearer tok-on").kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check("Bearer ").kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check(BasicHeader("tok-one")).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check("").kind(), ErrorKind::kUnauthorized);
}

TEST(WebhookAuthTest, EitherSchemePassesWhenBothConfigured) {
  WebhookAuth auth = WebhookAuth::Create("u:p", {"tok"}).value();
  EXPECT_TRUE(auth.Check(BasicHeader("u:p")).ok());
  EXPECT_TRUE(auth.Check("Bearer tok").ok());
  EXPECT_EQ(auth.Check(BasicHeader("u:x")).kind(), ErrorKind::kForbidden);
  EXPECT_EQ(auth.Check("Bearer x").kind(), ErrorKind::kForbidden);
  Status other = auth.Check("Digest abc");
  EXPECT_EQ(other.kind(), ErrorKind::kForbidden);
  EXPECT_EQ(other.message(), "Authorization scheme not accepted (expected Basic or Bearer)");
}

TEST(WebhookAuthTest, BadConfigurationIsInvalid) {
  EXPECT_EQ(WebhookAuth::Create("nocolon", {}).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(WebhookAuth::Create(":pass", {}).status().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(WebhookAuth::Create("", {"ok", ""}).status().kind(), ErrorKind::kInvalid);
  EXPECT_TRUE(WebhookAuth::Create("user:", {}).ok());  // empty password is allowed
}

}  // namespace
}  // namespace mailpulse
