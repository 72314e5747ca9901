#pragma once
// The event-driven upstream exchange: what one attempt of the router awaits.
// The router (and its tests, with fakes) sees only this interface; the
// Beast client on each event loop implements it.
//
// Contract:
// - exchange() runs on the loop that awaits it and never blocks that loop.
// - The sink is awaited for every part of the response, so a client that
//   reads slowly slows the upstream read (backpressure); returning false from
//   the sink abandons the exchange (ExchangeError::cancelled) and the
//   connection is closed, not pooled.
// - Terminal cancellation of the awaiting coroutine (the client went away)
//   ends the exchange at once with ExchangeError::cancelled.
// - limits.deadline bounds the whole exchange, connect and every read
//   included; read_timeout bounds each silence between bytes.

#include "daemon/transport/exchange_types.hpp"

#include <helixagent/plugin_abi.h>

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace helix::transport {

class AsyncResponseSink {
public:
    virtual ~AsyncResponseSink() = default;
    virtual boost::asio::awaitable<bool> on_head(int status, const Headers &headers) = 0;
    virtual boost::asio::awaitable<bool> on_body(std::string_view data) = 0;
};

class AsyncExchange {
public:
    virtual ~AsyncExchange() = default;
    virtual boost::asio::awaitable<ExchangeResult> exchange(const helix_http_request &request,
                                                            const ExchangeLimits &limits,
                                                            AsyncResponseSink &sink) = 0;
};

} // namespace helix::transport
