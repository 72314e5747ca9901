#pragma once
// One HTTP exchange with an upstream: sends the request a plugin prepared and
// hands the response to a sink as it arrives (status and headers first, then
// each run of body bytes as the socket delivers it), never buffering a whole
// stream. Connections come from, and return to, the pool.

#include "daemon/transport/connection_pool.hpp"

#include <helixagent/plugin_abi.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace helix::transport {

using Headers = std::vector<std::pair<std::string, std::string>>;

class ResponseSink {
public:
    virtual ~ResponseSink() = default;
    // Return false to abandon the exchange (the client went away, or the
    // plugin failed); the connection is then closed, not reused.
    virtual bool on_head(int status, const Headers &headers) = 0;
    virtual bool on_body(const char *data, std::size_t len) = 0;
};

struct ExchangeLimits {
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds read_timeout{60'000}; // longest silence between bytes
};

enum class ExchangeError {
    none,
    bad_request,    // the plugin's request cannot be sent (bad URL)
    connect_failed, // nothing reached the upstream
    timeout,        // connect or read timed out
    reset,          // the connection broke after the request was sent, or the body fell short of its Content-Length
    cancelled,      // the sink asked to stop
};

struct ExchangeResult {
    ExchangeError error = ExchangeError::none;
    std::string detail;         // for logs and error messages; never contains credentials
    bool head_received = false; // whether on_head was called
};

const char *to_string(ExchangeError e) noexcept;

class UpstreamClient {
public:
    explicit UpstreamClient(ConnectionPool &pool) : pool_(pool) {}
    ExchangeResult exchange(const helix_http_request &request, const ExchangeLimits &limits, ResponseSink &sink);

private:
    ConnectionPool &pool_;
};

} // namespace helix::transport
