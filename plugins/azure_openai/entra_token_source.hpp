#pragma once
// Entra ID access tokens for Azure OpenAI, fetched through the host's
// http_fetch: client credentials (tenant, client id and secret), workload
// identity (the same grant with the federated token file's contents as
// client_assertion, client_assertion_type jwt-bearer; the file is read at
// each fetch) or the managed identity of the machine (instance metadata
// endpoint), or the Azure CLI's login (azure_cli_credential.hpp). Tokens are cached until five minutes before they expire, dropped
// after a 401, and never logged.

#include "plugins/azure_openai/azure_settings.hpp"
#include "plugins/common/token_cache.hpp"

namespace helix::azure_openai {

inline constexpr std::string_view kJwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

class EntraTokenSource {
public:
    EntraTokenSource(const Settings &settings, const helix::sdk::Host &host) : settings_(settings), host_(host) {}

    std::string token(); // throws helix::sdk::Error
    void rejected(std::string_view token) { cache_.invalidate(token); }
    bool has_valid_token() const { return cache_.valid_at(host_.now_unix_ms()); }

private:
    helix::plugin_common::BearerToken fetch() const;
    std::string federated_token() const;

    const Settings &settings_;
    const helix::sdk::Host &host_;
    helix::plugin_common::TokenCache cache_;
};

// Parses a token endpoint's JSON reply: access_token plus expires_in
// (seconds, number or string) or expires_on (Unix seconds, as IMDS sends).
helix::plugin_common::BearerToken parse_token_response(std::string_view body, std::int64_t now_ms);

} // namespace helix::azure_openai
