#pragma once
// Checks a request a plugin hands the host (an upstream call from prepare(),
// a side request through http_fetch) before it goes on the wire: a control
// character in the method, URL or a header would let a setting or a token
// endpoint's reply (a CR LF in a token, say) add headers or requests of its
// own. The message names the part, never its value (it may be a secret).

#include "helixagent/plugin_abi.h"

#include <optional>
#include <string>

namespace helix::plugins {

// Why the request must not be sent, or nullopt when it may.
std::optional<std::string> unsafe_request_part(const helix_http_request &request);

} // namespace helix::plugins
