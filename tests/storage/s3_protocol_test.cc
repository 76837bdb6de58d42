#include "storage/s3/s3_protocol.h"

#include <gtest/gtest.h>

#include "storage/s3/s3_object_store.h"

namespace mailpulse {
namespace {

constexpr char kList[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>lake/</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>lake/a&amp;b &lt;c&gt; &quot;q&quot; &apos;s&apos;</Key><LastModified>2024-05-01T00:00:00.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents>
    <Key>lake/caf&#233;&#x2603;</Key><Size>0</Size>
  </Contents>
  <Contents><Key>lake/big</Key><Size>5368709120</Size><Owner><ID>x</ID></Owner></Contents>
</ListBucketResult>)";

TEST(S3ProtocolTest, ParsesListObjectsV2) {
  ListObjectsV2Result r = ParseListObjectsV2(kList).value();
  ASSERT_EQ(r.contents.size(), 3u);
  EXPECT_EQ(r.contents[0], (ObjectInfo{"lake/a&b <c> \"q\" 's'", 12}));
  EXPECT_EQ(r.contents[1], (ObjectInfo{"lake/caf\xC3\xA9\xE2\x98\x83", 0}));
  EXPECT_EQ(r.contents[2], (ObjectInfo{"lake/big", 5368709120ull}));
  EXPECT_TRUE(r.is_truncated);
  EXPECT_EQ(r.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3ProtocolTest, ParsesEmptyAndLastPage) {
  ListObjectsV2Result r =
      ParseListObjectsV2(
          "<ListBucketResult><Prefix/><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
          "</ListBucketResult>")
          .value();
  EXPECT_TRUE(r.contents.empty());
  EXPECT_FALSE(r.is_truncated);
  EXPECT_EQ(r.next_continuation_token, "");
}

TEST(S3ProtocolTest, RejectsMalformedListings) {
  for (std::string_view bad : {
           "",
           "<Error/>",
           "<ListBucketResult><Contents><Key>a</Key>",
           "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a&bogus;</Key></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a&#0;</Key></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a&amp</Key></Contents></ListBucketResult>",
           "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
       }) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseListObjectsV2(bad).status().kind(), ErrorKind::kFail);
  }
}

TEST(S3ProtocolTest, ParsesInitiateMultipartUpload) {
  EXPECT_EQ(ParseInitiateMultipartUpload(
                "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                "<UploadId>VXBsb2Fk&amp;ID</UploadId></InitiateMultipartUploadResult>")
                .value(),
            "VXBsb2Fk&ID");
  EXPECT_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());
}

TEST(S3ProtocolTest, ParsesErrors) {
  auto e = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The key &quot;x&quot; does not "
      "exist"
      "</Message><Key>x</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The key \"x\" does not exist");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
  EXPECT_FALSE(ParseS3Error("<ListBucketResult/>").has_value());
  EXPECT_FALSE(ParseS3Error("").has_value());
  EXPECT_FALSE(ParseS3Error("<Errors><Code>x</Code></Errors>").has_value());
}

std::string ErrorBody(std::string_view code) {
  return "<Error><Code>" + std::string(code) + "</Code><Message>m</Message></Error>";
}

TEST(S3ProtocolTest, MapsStatusToErrorKind) {
  EXPECT_TRUE(S3StatusFromResponse(200, "", "x").ok());
  EXPECT_TRUE(S3StatusFromResponse(204, "", "x").ok());
  EXPECT_EQ(S3StatusFromResponse(503, ErrorBody("SlowDown"), "x").kind(), ErrorKind::kRetry);
  EXPECT_EQ(S3StatusFromResponse(500, ErrorBody("InternalError"), "x").kind(), ErrorKind::kRetry);
  EXPECT_EQ(S3StatusFromResponse(502, "<html>bad gateway</html>", "x").kind(), ErrorKind::kRetry);
  EXPECT_EQ(S3StatusFromResponse(400, ErrorBody("RequestTimeout"), "x").kind(), ErrorKind::kRetry);
  EXPECT_EQ(S3StatusFromResponse(429, "", "x").kind(), ErrorKind::kRetry);
  EXPECT_EQ(S3StatusFromResponse(404, ErrorBody("NoSuchKey"), "x").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(S3StatusFromResponse(404, "", "x").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(S3StatusFromResponse(404, ErrorBody("NoSuchBucket"), "x").kind(), ErrorKind::kFail);
  EXPECT_EQ(S3StatusFromResponse(403, ErrorBody("SignatureDoesNotMatch"), "x").kind(),
            ErrorKind::kForbidden);
  EXPECT_EQ(S3StatusFromResponse(416, ErrorBody("InvalidRange"), "x").kind(), ErrorKind::kInvalid);
  EXPECT_EQ(S3StatusFromResponse(400, ErrorBody("BadDigest"), "x").kind(), ErrorKind::kFail);
  Status s = S3StatusFromResponse(
      503,
      "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
      "<RequestId>R1</RequestId></Error>",
      "PUT lake/k");
  EXPECT_EQ(s.message(),
            "PUT lake/k: HTTP 503 SlowDown: Please reduce your request rate. (request id R1)");
}

TEST(S3ProtocolTest, XmlEscapeRoundTrips) {
  std::string text = "\"etag\" <&> 'x'";
  EXPECT_EQ(XmlEscape(text), "&quot;etag&quot; &lt;&amp;&gt; &apos;x&apos;");
  EXPECT_EQ(XmlUnescape(XmlEscape(text)).value(), text);
}

std::optional<std::string> NoEnv(const char*) { return std::nullopt; }

TEST(S3UrlTest, ParsesFullUrl) {
  S3Options o =
      ParseS3Url(
          "s3://my-bucket/lake/events/?endpoint=http%3A%2F%2F127.0.0.1%3A4569&region=eu-west-1"
          "&path_style=true&multipart_threshold=1048576&part_size=262144",
          NoEnv)
          .value();
  EXPECT_EQ(o.bucket, "my-bucket");
  EXPECT_EQ(o.prefix, "lake/events/");
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:4569");
  EXPECT_EQ(o.region, "eu-west-1");
  EXPECT_TRUE(o.path_style);
  EXPECT_EQ(o.multipart_threshold, 1048576u);
  EXPECT_EQ(o.part_size, 262144u);
}

TEST(S3UrlTest, Defaults) {
  S3Options o = ParseS3Url("s3://b", NoEnv).value();
  EXPECT_EQ(o.bucket, "b");
  EXPECT_EQ(o.prefix, "");
  EXPECT_EQ(o.region, "us-east-1");
  EXPECT_FALSE(o.path_style);
  EXPECT_EQ(o.multipart_threshold, 16u << 20);
  EXPECT_EQ(o.part_size, 8u << 20);
  auto env = [](const char* n) -> std::optional<std::string> {
    if (std::string_view(n) == "AWS_DEFAULT_REGION") return "ap-south-1";
    return std::nullopt;
  };
  EXPECT_EQ(ParseS3Url("s3://b/p", env).value().region, "ap-south-1");
  EXPECT_TRUE(ParseS3Url("s3://b?endpoint=http://localhost:9000", NoEnv).value().path_style);
  EXPECT_FALSE(ParseS3Url("s3://b?endpoint=http://x&path_style=false", NoEnv).value().path_style);
}

TEST(S3UrlTest, RejectsBadUrls) {
  for (std::string_view bad :
       {"s3://", "s3:///prefix", "s3://Bad_Bucket", "s3://b?colour=blue", "s3://b?path_style=yes",
        "s3://b?part_size=0", "s3://b?part_size=12k", "s3://b/a//b", "file:///x"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseS3Url(bad, NoEnv).status().kind(), ErrorKind::kInvalid);
  }
}

}  // namespace
}  // namespace mailpulse
