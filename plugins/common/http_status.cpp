#include "plugins/common/http_status.hpp"

namespace helix::plugin_common {

helix_status classify_http_status(int status) noexcept {
    if (is_success_status(status)) return HELIX_OK;
    switch (status) {
    case 401:
    case 403:
    case 407:
        return HELIX_ERR_AUTH;
    case 408:
    case 409:
    case 429:
        return HELIX_ERR_RETRY;
    default:
        break;
    }
    if (status >= 500 && status <= 599) return HELIX_ERR_RETRY;
    return HELIX_ERR_UPSTREAM;
}

helix_status classify_http_status(int status, std::string_view x_should_retry) noexcept {
    const helix_status base = classify_http_status(status);
    if (base == HELIX_ERR_RETRY && x_should_retry == "false") return HELIX_ERR_UPSTREAM;
    if (base == HELIX_ERR_UPSTREAM && x_should_retry == "true") return HELIX_ERR_RETRY;
    return base;
}

} // namespace helix::plugin_common
