// Configuration: one table of keys drives the TOML file, the MAILPULSE_*
// environment variables, the command-line flags, --help and docs/config.md.
//
// Precedence, lowest first: built-in default < TOML file (--config) <
// environment (MAILPULSE_<KEY>) < command-line flag (--<key-with-dashes>).
// A Config is filled once at start-up and read-only afterwards, so it may be
// shared between threads without locking.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace mailpulse {

enum class ConfigType { kString, kInt, kBool, kBytes, kSeconds, kList };

struct ConfigKey {
  const char* key;  // TOML key, snake_case; flag is --key-with-dashes
  ConfigType type;
  const char* default_value;
  const char* description;
};

// Every key mailpulse understands, in documentation order.
std::span<const ConfigKey> ConfigKeys();

std::string FlagName(const ConfigKey& k);  // "--data-dir"
std::string EnvName(const ConfigKey& k);   // "MAILPULSE_DATA_DIR"
const char* ConfigTypeName(ConfigType t);

class Config {
 public:
  // Defaults only.
  Config();

  // Layer a TOML file over the current values. Unknown keys are an error.
  Status LoadToml(const std::string& path);
  // Layer MAILPULSE_* variables from `environ`.
  Status LoadEnvironment();
  // Set one key from text (flags and env come through here); validates the type.
  Status Set(const std::string& key, const std::string& value);

  const std::string& GetString(const std::string& key) const;
  int64_t GetInt(const std::string& key) const;  // kInt, kBytes and kSeconds
  bool GetBool(const std::string& key) const;
  std::vector<std::string> GetList(const std::string& key) const;  // comma-separated

  // Markdown table of keys, defaults and descriptions (docs/config.md).
  static std::string MarkdownReference();

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Parses "64MiB", "4 MiB", "1024", "2GB" (SI) into bytes.
Result<int64_t> ParseBytes(const std::string& text);
// Parses "30", "30s", "5m", "24h", "7d" into seconds.
Result<int64_t> ParseSeconds(const std::string& text);

}  // namespace mailpulse
