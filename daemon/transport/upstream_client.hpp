#pragma once
// The blocking face of the event-driven client, for callers on threads of
// their own (plugins' side requests, from prepare() on the worker pool): one
// exchange per call, the response handed to a sink on the calling thread as
// it arrives (status and headers first, then each run of body bytes), never a
// whole stream buffered. The I/O runs on a few transport loops the client
// owns, each with its AsyncUpstreamClient and connection pool (an upstream's
// calls all on the same loop, to share its idle connections); the caller's
// thread only waits for each part, so a slow sink slows the upstream read.
//
// A call from one of the client's own transport threads would wait for
// itself: it is refused (ExchangeError::bad_request). A call from any other
// thread, an event loop of the server's included, runs on the transport
// loops while that thread waits.

#include "daemon/transport/async_upstream_client.hpp"
#include "daemon/transport/exchange_types.hpp"
#include "daemon/transport/upstream_settings.hpp"

#include <helixagent/plugin_abi.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <cstddef>
#include <memory>
#include <thread>
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
    explicit UpstreamClient(std::shared_ptr<const UpstreamSettings> settings, std::size_t loops = 2);
    ~UpstreamClient(); // stops the loops; no exchange may still be running
    UpstreamClient(const UpstreamClient &) = delete;
    UpstreamClient &operator=(const UpstreamClient &) = delete;

    ExchangeResult exchange(const helix_http_request &request, const ExchangeLimits &limits, ResponseSink &sink);

    // Idle pooled connections over every loop (asks each loop; for tests and diagnostics).
    std::size_t idle_count() const;

private:
    struct Loop {
        boost::asio::io_context context{1};
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{context.get_executor()};
        AsyncUpstreamClient client;
        std::thread thread;
        explicit Loop(std::shared_ptr<const UpstreamSettings> settings) : client(context.get_executor(), std::move(settings)) {}
    };
    bool on_own_thread() const;

    std::vector<std::unique_ptr<Loop>> loops_;
};

} // namespace helix::transport
