// AWS credentials and where they come from.
//
// Order (the AWS CLI's, minus the parts mailpulse does not need):
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//   2. the shared credentials file, AWS_SHARED_CREDENTIALS_FILE or
//      $HOME/.aws/credentials, section [AWS_PROFILE] (default "default").
// No instance metadata / SSO / process providers: run under a profile or env.
//
// The environment is read through a lookup function so tests never touch the
// process environment. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailpulse {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
  std::string source;         // "environment" or "profile NAME in PATH", for logs
};

// name -> value, nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
// The real process environment (getenv).
EnvLookup ProcessEnv();

// Parses an INI credentials file and returns the keys of `profile`.
// kNotFound when the profile is absent, kInvalid when it lacks a key.
Result<AwsCredentials> ParseCredentialsFile(std::string_view text, std::string_view profile);

// Resolves credentials in the order above; kUnauthorized naming every place
// looked when none is found.
Result<AwsCredentials> LoadAwsCredentials(const EnvLookup& env);

}  // namespace mailpulse
