#pragma once
// YAML file + environment -> one immutable Config snapshot, or a ConfigError
// listing every problem found (file, line, reason; never a secret's value).

#include "daemon/config/config.hpp"
#include "daemon/config/config_error.hpp"
#include "daemon/config/env_expand.hpp"
#include "daemon/config/plugin_schema.hpp"

#include <string>
#include <string_view>

namespace helix::config {

// Used when the YAML has no plugin_dir key.
inline constexpr std::string_view kDefaultPluginDir = "/usr/lib/helixagent/plugins";

// Reads and validates the YAML file at `path`. Relative paths inside it
// (plugin_dir, ./library.so) are relative to the file's own directory.
// Throws ConfigError; an unreadable file is one issue with line 0.
//
// With `schemas`, each enabled provider's plugin library is loaded while its
// `plugins:` entry is read (plugin_dir is read before plugins:), and its
// settings table checks the `settings:` block, fills it from the table's
// environment variables and says which values are secret (plugin_settings.hpp).
// Without it (tests of the file format alone) settings are taken as written.
ConfigPtr load_config(const std::string &path, const Environment &env, PluginSchemaSource *schemas = nullptr);

// The same for YAML text already in memory. `source_name` is what issues and
// Config::source_file show; `base_dir` anchors relative paths (empty: the
// current directory).
ConfigPtr load_config_from_string(std::string_view yaml, const std::string &source_name, const std::string &base_dir,
                                  const Environment &env, PluginSchemaSource *schemas = nullptr);

} // namespace helix::config
