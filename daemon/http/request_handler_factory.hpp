#pragma once
// Maps each request to its handler and counts it as in flight until the
// handler is destroyed, so SIGTERM can wait for exactly those requests.

#include "daemon/router/runtime.hpp"
#include "daemon/http/server_state.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/transport/upstream_client.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace helix::http {

class RequestHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    RequestHandlerFactory(const router::RuntimeHolder &runtime, ServerState &state, transport::UpstreamClient &upstream,
                          metrics::Metrics &metrics)
        : runtime_(runtime), state_(state), upstream_(upstream), metrics_(metrics) {}
    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &request) override;

private:
    const router::RuntimeHolder &runtime_;
    ServerState &state_;
    transport::UpstreamClient &upstream_;
    metrics::Metrics &metrics_; // the process's, served at GET /metrics
};

} // namespace helix::http
