#pragma once
// What a token endpoint's HTTP status means (Entra ID, Google OAuth2, the
// clouds' metadata servers): 429 and 5xx are transient (RETRY, the request
// may fail over), anything else but 200 means the credentials were refused
// (AUTH). Bodies are never quoted: OAuth errors can echo client ids and claims.

#include <helixagent/plugin.hpp>

#include <string>
#include <string_view>

namespace helix::plugin_common {

// Throws unless `status` is 200; `source` names the endpoint in the message.
inline void check_token_status(int status, std::string_view source) {
    if (status == 200) return;
    if (status == 429 || status >= 500)
        throw helix::sdk::Error(HELIX_ERR_RETRY,
                                std::string(source) + " is unavailable (HTTP " + std::to_string(status) + ")", 503);
    throw helix::sdk::Error(HELIX_ERR_AUTH,
                            std::string(source) + " refused to issue a token (HTTP " + std::to_string(status) +
                                "); check the credentials",
                            502);
}

} // namespace helix::plugin_common
