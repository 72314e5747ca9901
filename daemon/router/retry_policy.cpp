#include "daemon/router/retry_policy.hpp"

namespace helix::router {

Verdict after_plugin_failure(helix_status status) noexcept {
    switch (status) {
    case HELIX_ERR_RETRY:
    case HELIX_ERR_AUTH:
    case HELIX_ERR_PROTOCOL:
    case HELIX_ERR_NOT_SUPPORTED:
    case HELIX_ERR_CONFIG:
    case HELIX_ERR_INTERNAL:
        return Verdict::try_another;
    case HELIX_OK:
    case HELIX_ERR_INVALID_REQUEST:
    case HELIX_ERR_UPSTREAM:
    default:
        return Verdict::stop;
    }
}

Verdict after_exchange_failure(transport::ExchangeError error) noexcept {
    return error == transport::ExchangeError::cancelled ? Verdict::stop : Verdict::try_another;
}

} // namespace helix::router
