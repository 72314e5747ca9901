#pragma once
// Azure CLI credentials, for development (as @azure/identity's
// AzureCliCredential): the host runs (run_process: no shell, killed after
// kAzureCliTimeout)
//   az account get-access-token --output json --resource https://cognitiveservices.azure.com [--tenant T]
// which prints
//   {"accessToken": "...", "expiresOn": "2026-01-01 12:00:00.000000",
//    "expires_on": 1767268800, "subscription": "...", "tenant": "...", "tokenType": "Bearer"}
// The token is cached by the provider like any Entra token (until five
// minutes before expires_on; an older CLI without expires_on: five minutes,
// since its expiresOn is local time), and fetched again after a 401.
// A failure (not logged in, no CLI) is an AUTH error that says to run
// `az login`; the first line of the CLI's stderr goes to the log, never its stdout.

#include "plugins/common/token_cache.hpp"

#include <helixagent/plugin.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace helix::azure_openai {

inline constexpr std::chrono::milliseconds kAzureCliTimeout{30000};

// The command line for `az_path` (quoted as the host splits it).
std::string azure_cli_command(std::string_view az_path, std::string_view tenant_id);

// The token in the CLI's output. Throws HELIX_ERR_AUTH.
helix::plugin_common::BearerToken parse_azure_cli_token(std::string_view json, std::int64_t now_ms);

// Runs the CLI through the host. Throws helix::sdk::Error.
helix::plugin_common::BearerToken azure_cli_token(const helix::sdk::Host &host, std::string_view az_path,
                                                  std::string_view tenant_id);

} // namespace helix::azure_openai
