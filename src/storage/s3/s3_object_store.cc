#include "storage/s3/s3_object_store.h"

#include <algorithm>
#include <charconv>

#include "common/base64.h"
#include "common/sha256.h"
#include "common/url_query.h"
#include "storage/s3/s3_protocol.h"

namespace mailpulse {
namespace {

Result<uint64_t> ParseBytes(std::string_view name, std::string_view v) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n == 0) {
    return Status::Invalid("s3 url: " + std::string(name) +
                           " must be a positive byte count, got '" + std::string(v) + "'");
  }
  return n;
}

}  // namespace

Result<S3Options> ParseS3Url(std::string_view url, const EnvLookup& env) {
  constexpr std::string_view kScheme = "s3://";
  if (!url.starts_with(kScheme)) return Status::Invalid("not an s3:// url: " + std::string(url));
  std::string_view rest = url.substr(kScheme.size());
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  S3Options o;
  size_t slash = rest.find('/');
  o.bucket = std::string(rest.substr(0, slash));
  if (o.bucket.empty()) return Status::Invalid("s3 url has no bucket: " + std::string(url));
  for (char c : o.bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.')) {
      return Status::Invalid("s3 url: invalid bucket name '" + o.bucket + "'");
    }
  }
  std::string_view prefix =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (!prefix.empty()) {
    MP_RETURN_IF_ERROR(ValidateObjectKey(prefix));
    o.prefix = std::string(prefix) + "/";
  }
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::optional<std::string> r = env(name);
    if (r && !r->empty()) {
      o.region = *r;
      break;
    }
  }
  std::optional<bool> path_style;
  for (const QueryPair& pair : SplitQuery(query)) {
    std::string_view key = pair.key;
    std::string value = UriDecode(pair.value);
    if (key == "endpoint") {
      o.endpoint = value;
    } else if (key == "region") {
      o.region = value;
    } else if (key == "path_style") {
      if (value != "true" && value != "false")
        return Status::Invalid("s3 url: path_style must be true or false");
      path_style = value == "true";
    } else if (key == "multipart_threshold") {
      MP_ASSIGN_OR_RETURN(o.multipart_threshold, ParseBytes(key, value));
    } else if (key == "part_size") {
      MP_ASSIGN_OR_RETURN(o.part_size, ParseBytes(key, value));
    } else {
      return Status::Invalid(
          "s3 url: unknown parameter '" + std::string(key) +
          "' (known: endpoint, region, path_style, multipart_threshold, part_size)");
    }
  }
  if (o.region.empty()) return Status::Invalid("s3 url: empty region");
  o.path_style = path_style.value_or(!o.endpoint.empty());
  return o;
}

S3ObjectStore::S3ObjectStore(S3Options options, AwsCredentials credentials, const Clock* clock,
                             SleepFn sleep)
    : options_(std::move(options)),
      signer_(std::move(credentials), SigV4Config::ForS3(options_.region)),
      clock_(clock),
      sleep_(std::move(sleep)),
      http_(options_.http) {}

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Open(S3Options options,
                                                           AwsCredentials credentials,
                                                           const Clock* clock, SleepFn sleep) {
  if (options.bucket.empty()) return Status::Invalid("s3: empty bucket");
  if (options.part_size == 0) return Status::Invalid("s3: part_size must be positive");
  std::string endpoint = options.endpoint.empty()
                             ? "https://s3." + options.region + ".amazonaws.com"
                             : options.endpoint;
  size_t sep = endpoint.find("://");
  if (sep == std::string::npos) return Status::Invalid("s3: endpoint needs a scheme: " + endpoint);
  std::string scheme = endpoint.substr(0, sep);
  std::string host = endpoint.substr(sep + 3);
  while (!host.empty() && host.back() == '/') host.pop_back();
  if (scheme != "http" && scheme != "https")
    return Status::Invalid("s3: endpoint scheme must be http(s)");
  if (host.empty() || host.find('/') != std::string::npos) {
    return Status::Invalid("s3: endpoint must be scheme://host[:port] without a path: " + endpoint);
  }
  auto store = std::unique_ptr<S3ObjectStore>(
      new S3ObjectStore(std::move(options), std::move(credentials), clock, std::move(sleep)));
  store->scheme_ = scheme;
  store->host_ = host;
  return store;
}

std::string S3ObjectStore::Describe() const {
  std::string d = "s3://" + options_.bucket + "/" + options_.prefix;
  if (!options_.endpoint.empty()) d += " at " + options_.endpoint;
  return d;
}

Result<CurlResponse> S3ObjectStore::Execute(Call call) {
  const std::string host = options_.path_style ? host_ : options_.bucket + "." + host_;
  std::string path = options_.path_style ? "/" + UriEncode(options_.bucket, false) : "";
  if (!call.key.empty() || !options_.path_style) path += "/" + UriEncode(call.key, true);
  if (call.payload_hash.empty()) call.payload_hash = HexEncode(Sha256(call.body));
  std::string url = scheme_ + "://" + host + path;
  if (!call.query.empty()) url += "?" + CanonicalQueryString(call.query);
  const bool complete =
      call.method == "POST" && !call.query.empty() && call.query[0].first == "uploadId";

  return RunWithRetries<CurlResponse>(options_.retry, sleep_, [&]() -> Result<CurlResponse> {
    SigV4Request sreq{call.method, path, call.query, call.headers, call.payload_hash};
    sreq.headers.emplace_back("host", host);
    signer_.Sign(&sreq, clock_->NowMillis());
    MP_ASSIGN_OR_RETURN(CurlResponse resp,
                        http_.Send({call.method, url, std::move(sreq.headers), call.body}));
    MP_RETURN_IF_ERROR(S3StatusFromResponse(resp.status, resp.body, call.what));
    // CompleteMultipartUpload can fail after its 200 header was sent: the
    // error is then the body, and S3 says to retry.
    if (complete && ParseS3Error(resp.body)) return S3StatusFromResponse(500, resp.body, call.what);
    return resp;
  });
}

Status S3ObjectStore::Put(std::string_view key, std::string_view data, const PutOptions& options) {
  MP_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::string full = options_.prefix + std::string(key);
  if (data.size() > options_.multipart_threshold) return PutMultipart(full, data, options);
  const std::string digest = Sha256(data);
  Call call{
      "PUT",        full, {}, {{"content-type", options.content_type}}, data, HexEncode(digest),
      "PUT " + full};
  call.headers.emplace_back("x-amz-checksum-sha256", Base64Encode(digest));
  if (!options.content_encoding.empty())
    call.headers.emplace_back("content-encoding", options.content_encoding);
  return Execute(std::move(call)).status();
}

Status S3ObjectStore::PutMultipart(const std::string& full, std::string_view data,
                                   const PutOptions& options) {
  Call create{"POST",
              full,
              {{"uploads", ""}},
              {{"content-type", options.content_type}},
              {},
              {},
              "CreateMultipartUpload " + full};
  if (!options.content_encoding.empty())
    create.headers.emplace_back("content-encoding", options.content_encoding);
  MP_ASSIGN_OR_RETURN(CurlResponse created, Execute(std::move(create)));
  MP_ASSIGN_OR_RETURN(std::string upload_id, ParseInitiateMultipartUpload(created.body));

  // S3 allows at most 10,000 parts: grow the part size for huge objects.
  const uint64_t part_size = std::max<uint64_t>(options_.part_size, (data.size() + 9'999) / 10'000);
  std::string complete_body =
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  Status s = [&]() -> Status {
    int part = 1;
    for (uint64_t off = 0; off < data.size(); off += part_size, ++part) {
      std::string_view slice = data.substr(off, part_size);
      std::string n = std::to_string(part);
      MP_ASSIGN_OR_RETURN(CurlResponse uploaded,
                          Execute({"PUT",
                                   full,
                                   {{"partNumber", n}, {"uploadId", upload_id}},
                                   {},
                                   slice,
                                   {},
                                   "UploadPart " + n + " of " + full}));
      std::string etag = uploaded.Header("etag");
      if (etag.empty())
        return Status::Fail("UploadPart " + n + " of " + full + ": no ETag in the response");
      complete_body +=
          "<Part><PartNumber>" + n + "</PartNumber><ETag>" + XmlEscape(etag) + "</ETag></Part>";
    }
    complete_body += "</CompleteMultipartUpload>";
    return Execute({"POST",
                    full,
                    {{"uploadId", upload_id}},
                    {{"content-type", "application/xml"}},
                    complete_body,
                    {},
                    "CompleteMultipartUpload " + full})
        .status();
  }();
  if (!s.ok()) {
    // Best effort: an upload left behind only costs storage until a lifecycle rule reaps it.
    (void)Execute(
        {"DELETE", full, {{"uploadId", upload_id}}, {}, {}, {}, "AbortMultipartUpload " + full});
  }
  return s;
}

Result<std::string> S3ObjectStore::Get(std::string_view key) {
  MP_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::string full = options_.prefix + std::string(key);
  MP_ASSIGN_OR_RETURN(CurlResponse resp, Execute({"GET", full, {}, {}, {}, {}, "GET " + full}));
  return std::move(resp.body);
}

Result<std::string> S3ObjectStore::GetRange(std::string_view key, uint64_t offset,
                                            uint64_t length) {
  MP_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (length == 0) return std::string();
  std::string full = options_.prefix + std::string(key);
  uint64_t last = length - 1 > UINT64_MAX - offset ? UINT64_MAX : offset + length - 1;
  std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(last);
  MP_ASSIGN_OR_RETURN(
      CurlResponse resp,
      Execute({"GET", full, {}, {{"range", range}}, {}, {}, "GET " + full + " " + range}));
  if (resp.status == 206) return std::move(resp.body);
  // A server that ignores Range sends the whole object.
  if (offset >= resp.body.size()) return Status::Invalid("GET " + full + ": range not satisfiable");
  return resp.body.substr(offset, length);
}

Result<ListPage> S3ObjectStore::List(std::string_view prefix, std::string_view continuation_token,
                                     int max_keys) {
  if (max_keys < 1 || max_keys > 1000) return Status::Invalid("max_keys must be 1..1000");
  std::string full_prefix = options_.prefix + std::string(prefix);
  QueryList query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!full_prefix.empty()) query.emplace_back("prefix", full_prefix);
  if (!continuation_token.empty())
    query.emplace_back("continuation-token", std::string(continuation_token));
  MP_ASSIGN_OR_RETURN(
      CurlResponse resp,
      Execute({"GET", "", std::move(query), {}, {}, {}, "ListObjectsV2 " + full_prefix}));
  MP_ASSIGN_OR_RETURN(ListObjectsV2Result listed, ParseListObjectsV2(resp.body));
  ListPage page;
  for (ObjectInfo& o : listed.contents) {
    if (!o.key.starts_with(options_.prefix)) {
      return Status::Fail("ListObjectsV2 returned key '" + o.key + "' outside prefix '" +
                          options_.prefix + "'");
    }
    o.key.erase(0, options_.prefix.size());
    page.objects.push_back(std::move(o));
  }
  if (listed.is_truncated) page.next_token = std::move(listed.next_continuation_token);
  return page;
}

Status S3ObjectStore::Delete(std::string_view key) {
  MP_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::string full = options_.prefix + std::string(key);
  Status s = Execute({"DELETE", full, {}, {}, {}, {}, "DELETE " + full}).status();
  return s.kind() == ErrorKind::kNotFound ? Status::Ok() : s;
}

}  // namespace mailpulse
