#include "daemon/router/upstream_errors.hpp"

#include "daemon/api/errors.hpp"

namespace helix::router {

api::ApiError from_exchange_failure(const transport::ExchangeResult &result, const std::string &provider) {
    const std::string message = provider + ": " + transport::to_string(result.error) + " (" + result.detail + ")";
    if (result.error == transport::ExchangeError::timeout) return api::gateway_timeout(message);
    return api::bad_gateway(message);
}

} // namespace helix::router
