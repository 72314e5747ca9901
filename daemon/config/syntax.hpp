#pragma once
// The syntax of small values, shared by the YAML reader and the environment
// overrides so that `port: x` and HELIXAGENT_PORT=x are judged alike.

#include <cstdint>
#include <optional>
#include <string_view>

namespace helix::config {

// Keys whose values are never echoed in errors: names containing key, secret,
// token, password or credential, in any case ("api_key", "AccessToken").
bool is_secret_name(std::string_view key);

// Provider (routing prefix) names: [a-z0-9][a-z0-9-]*.
bool is_provider_name(std::string_view name);

// Api key names end up in logs and metric labels: [A-Za-z0-9._-]{1,64}.
bool is_key_name(std::string_view name);

// A numeric IPv4 or IPv6 address, or a host name ("localhost").
bool is_listen_address(std::string_view address);

// A decimal integer without sign or spaces ("007" is 7); nullopt on anything
// else or on overflow.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// 0..65535; 0 asks the kernel for an ephemeral port.
std::optional<std::uint16_t> parse_port(std::string_view text);

} // namespace helix::config
