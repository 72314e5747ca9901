#include "daemon/metrics/error_kind.hpp"

namespace helix::metrics {

ErrorKind error_kind(transport::ExchangeError error) noexcept {
    switch (error) {
    case transport::ExchangeError::connect_failed: return ErrorKind::connect;
    case transport::ExchangeError::timeout: return ErrorKind::timeout;
    case transport::ExchangeError::reset: return ErrorKind::reset;
    case transport::ExchangeError::cancelled: return ErrorKind::client;
    case transport::ExchangeError::bad_request:
    case transport::ExchangeError::none: return ErrorKind::internal;
    }
    return ErrorKind::internal;
}

std::optional<ErrorKind> error_kind_for_status(int http_status) noexcept {
    if (http_status == 429) return ErrorKind::rate_limited;
    if (http_status == 401 || http_status == 403) return ErrorKind::auth;
    if (http_status >= 400 && http_status <= 499) return ErrorKind::upstream_4xx;
    if (http_status >= 500 && http_status <= 599) return ErrorKind::upstream_5xx;
    return std::nullopt;
}

ErrorKind error_kind(helix_status status, int http_status) noexcept {
    switch (status) {
    case HELIX_ERR_INVALID_REQUEST:
    case HELIX_ERR_NOT_SUPPORTED: return ErrorKind::client;
    case HELIX_ERR_AUTH: return ErrorKind::auth;
    case HELIX_ERR_PROTOCOL: return ErrorKind::protocol;
    case HELIX_ERR_RETRY: return error_kind_for_status(http_status).value_or(ErrorKind::upstream_5xx);
    case HELIX_ERR_UPSTREAM: return error_kind_for_status(http_status).value_or(ErrorKind::upstream_4xx);
    case HELIX_OK:
    case HELIX_ERR_CONFIG:
    case HELIX_ERR_INTERNAL: return ErrorKind::internal;
    }
    return ErrorKind::internal;
}

} // namespace helix::metrics
