#pragma once
// After a failed upstream attempt: may the request go on to another one?
// Worth another try (the next candidate, or the same one later): the
// provider could not be reached, timed out, broke the connection, was
// throttled or failing (429, 5xx), sent something malformed, refused the
// gateway's own credentials, or cannot do what the request needs. Not worth
// it: the client's request itself was refused (a 400 or a content filter),
// which another provider must not be used to get around.

#include "daemon/transport/exchange_types.hpp"

#include <helixagent/plugin_abi.h>

namespace helix::router {

enum class Verdict { try_another, stop };

Verdict after_plugin_failure(helix_status status) noexcept;
Verdict after_exchange_failure(transport::ExchangeError error) noexcept;

} // namespace helix::router
