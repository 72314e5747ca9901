#pragma once
// What the client is told when the transport to a provider fails (refused,
// timed out, reset). Plugin-reported failures map in api::from_plugin_error.

#include "daemon/api/error_body.hpp"
#include "daemon/transport/exchange_types.hpp"

namespace helix::router {

api::ApiError from_exchange_failure(const transport::ExchangeResult &result, const std::string &provider);

} // namespace helix::router
