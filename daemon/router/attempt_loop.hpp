#pragma once
// The fail-over attempt loop every endpoint shares: for each candidate in
// turn (skipping those whose circuit is open), let the endpoint make the
// plugin call (on the worker pool), send it through the transport, and
// decode the response into the reply, until one answers or a failure must
// be reported. It honours Retry-After with a timer (never a sleep) when the
// wait is short enough, bounds everything, upstream reads included, by
// router.deadline, re-prepares once when a provider refused the gateway's
// credentials, and fails over only before the first byte reached the client.

#include "daemon/config/config.hpp"
#include "daemon/limits/limiter.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/candidates.hpp"
#include "daemon/router/circuit_breakers.hpp"
#include "daemon/router/endpoint.hpp"
#include "daemon/router/provider_cooldowns.hpp"
#include "daemon/router/reply_writer.hpp"
#include "daemon/router/shared_provider_state.hpp"
#include "daemon/transport/async_exchange.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <vector>

namespace helix::router {

struct AttemptRequest {
    std::vector<Candidate> candidates; // best first; not empty
    Endpoint &endpoint;
    ReplyWriter &reply;
    transport::AsyncExchange &transport;
    CircuitBreakers &breakers;
    metrics::RequestObservation &observed;
    const config::Config &config;           // router.* and each provider's timeouts
    boost::asio::any_io_executor blocking;  // where Endpoint::prepare() runs
    // The providers' own rpm/tpm (plugins.<name>.limits): a candidate over
    // them is skipped, so traffic moves on before the provider answers 429.
    limits::Limiter *limiter = nullptr;
    std::int64_t tokens = 0; // the request's estimate (prompt + max output)
    // With shared_state: the providers' Retry-After cool-downs (any
    // replica's) keep requests on the other candidates, and circuits and
    // their one probe are shared with the other replicas.
    ProviderCooldowns *cooldowns = nullptr;
    std::shared_ptr<SharedProviderState> shared = nullptr;
};

// Answers the request through `reply` and returns the status the client
// got (499 when the client went away before its answer).
boost::asio::awaitable<int> run_attempts(AttemptRequest request);

} // namespace helix::router
