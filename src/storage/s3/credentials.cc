#include "storage/s3/credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mailpulse {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string NonEmpty(const EnvLookup& env, const char* name) {
  std::optional<std::string> v = env(name);
  return v ? *v : std::string();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<AwsCredentials> ParseCredentialsFile(std::string_view text, std::string_view profile) {
  AwsCredentials creds;
  bool in_profile = false;
  bool found = false;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return Status::Invalid("credentials line " + std::to_string(line_no) +
                               ": unterminated section");
      }
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      // The config file (not this one) spells it "profile NAME"; accept both.
      if (name.starts_with("profile ")) name = Trim(name.substr(8));
      in_profile = name == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;  // tolerated, as the AWS CLI does
    std::string_view key = Trim(line.substr(0, eq));
    std::string value(Trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id") {
      creds.access_key_id = value;
    } else if (key == "aws_secret_access_key") {
      creds.secret_access_key = value;
    } else if (key == "aws_session_token") {
      creds.session_token = value;
    }
  }
  if (!found) return Status::NotFound("profile [" + std::string(profile) + "] not found");
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return Status::Invalid("profile [" + std::string(profile) +
                           "] lacks aws_access_key_id or aws_secret_access_key");
  }
  return creds;
}

Result<AwsCredentials> LoadAwsCredentials(const EnvLookup& env) {
  std::string id = NonEmpty(env, "AWS_ACCESS_KEY_ID");
  std::string secret = NonEmpty(env, "AWS_SECRET_ACCESS_KEY");
  if (!id.empty() && !secret.empty()) {
    return AwsCredentials{id, secret, NonEmpty(env, "AWS_SESSION_TOKEN"), "environment"};
  }
  std::string profile = NonEmpty(env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string path = NonEmpty(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty()) {
    std::string home = NonEmpty(env, "HOME");
    if (!home.empty()) path = home + "/.aws/credentials";
  }
  std::string looked = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY unset";
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::stringstream buf;
      buf << in.rdbuf();
      Result<AwsCredentials> r = ParseCredentialsFile(buf.str(), profile);
      if (r.ok()) {
        r->source = "profile " + profile + " in " + path;
        return r;
      }
      if (r.status().kind() != ErrorKind::kNotFound) {
        return Status::Invalid(path + ": " + r.status().message());
      }
      looked += "; no profile [" + profile + "] in " + path;
    } else {
      looked += "; cannot read " + path;
    }
  }
  return Status::Unauthorized("no AWS credentials: " + looked);
}

}  // namespace mailpulse
