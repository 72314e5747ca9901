#pragma once
// One HTTP exchange with an upstream: sends the request a plugin prepared and
// hands the response to a sink as it arrives (status and headers first, then
// each run of body bytes as the socket delivers it), never buffering a whole
// stream. Connections come from, and return to, the pool.

#include "daemon/transport/connection_pool.hpp"
#include "daemon/transport/exchange_types.hpp"

#include <helixagent/plugin_abi.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace helix::transport {

class ResponseSink {
public:
    virtual ~ResponseSink() = default;
    // Return false to abandon the exchange (the client went away, or the
    // plugin failed); the connection is then closed, not reused.
    virtual bool on_head(int status, const Headers &headers) = 0;
    virtual bool on_body(const char *data, std::size_t len) = 0;
};

class UpstreamClient {
public:
    explicit UpstreamClient(ConnectionPool &pool) : pool_(pool) {}
    ExchangeResult exchange(const helix_http_request &request, const ExchangeLimits &limits, ResponseSink &sink);

private:
    ConnectionPool &pool_;
};

} // namespace helix::transport
