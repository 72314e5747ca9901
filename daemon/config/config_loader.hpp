#pragma once
// YAML file + environment -> one immutable Config snapshot, or a ConfigError
// listing every problem found (file, line, reason; never a secret's value).

#include "daemon/config/config.hpp"
#include "daemon/config/config_error.hpp"
#include "daemon/config/env_expand.hpp"

#include <string>
#include <string_view>

namespace helix::config {

// Used when the YAML has no plugin_dir key.
inline constexpr std::string_view kDefaultPluginDir = "/usr/lib/helixagent/plugins";

// Reads and validates the YAML file at `path`. Relative paths inside it
// (plugin_dir, ./library.so) are relative to the file's own directory.
// Throws ConfigError; an unreadable file is one issue with line 0.
ConfigPtr load_config(const std::string &path, const Environment &env);

// The same for YAML text already in memory. `source_name` is what issues and
// Config::source_file show; `base_dir` anchors relative paths (empty: the
// current directory).
ConfigPtr load_config_from_string(std::string_view yaml, const std::string &source_name, const std::string &base_dir,
                                  const Environment &env);

} // namespace helix::config
