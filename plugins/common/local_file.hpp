#pragma once
// Credential and profile files a plugin reads while it starts (AWS shared
// config, web identity tokens, Google service-account keys): read once, when
// the settings are applied, never while a request is served.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace helix::plugin_common {

// Reads a local file of at most max_bytes. nullopt when it does not exist;
// throws helix::sdk::Error (HELIX_ERR_CONFIG, naming `what` and the path, never
// the contents) when it cannot be read or is larger.
std::optional<std::string> read_local_file(const std::string &path, std::size_t max_bytes, std::string_view what);

} // namespace helix::plugin_common
