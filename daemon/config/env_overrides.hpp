#pragma once
// The daemon's own environment variables applied on top of the YAML
// (HELIXAGENT_*). A provider's variables (OPENAI_API_KEY, AWS_BEDROCK_*, the
// cloud SDKs' standard names, ...) are not listed here: each plugin's settings
// table names them, and the loader applies them to its settings
// (plugin_settings.hpp); a plugin never reads the environment.

#include "daemon/config/config.hpp"
#include "daemon/config/load_context.hpp"

#include <string_view>

namespace helix::config {

inline constexpr std::string_view kPortVariable = "HELIXAGENT_PORT";         // server.port
inline constexpr std::string_view kListenVariable = "HELIXAGENT_LISTEN";     // server.listen
inline constexpr std::string_view kApiKeysVariable = "HELIXAGENT_API_KEYS"; // comma-separated; replaces api_keys

// Applies every variable above that is set and non-empty (an empty value
// counts as unset) to `config`. Bad values are reported to `ctx` naming the
// variable, never echoing its value.
void apply_env_overrides(Config &config, const Environment &env, LoadContext &ctx);

} // namespace helix::config
