#pragma once
// One request on a stream of an HTTP/2 connection: the head, then each run
// of body bytes handed to the sink as it arrives, its window opened again
// only once the sink took it (backpressure). Failures are thrown as
// ExchangeFailure, like the HTTP/1.1 exchange's; `outcome` tells the caller
// whether the request may be sent again on another connection: the server
// never processed it (REFUSED_STREAM, a stream above GOAWAY's
// last-stream-id, no room left), or the whole connection failed (a stale one
// if it was reused). A RST_STREAM of the stream itself is neither.

#include "daemon/transport/async_exchange.hpp"
#include "daemon/transport/exchange_budget.hpp"
#include "daemon/transport/http2_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

namespace helix::transport {

struct Http2Outcome {
    bool unprocessed = false;
    bool connection_lost = false;
};

struct Http2Request {
    std::string method;
    std::string scheme;
    std::string authority;
    std::string path;
    Headers headers;
    std::string_view body; // the caller's, valid for the exchange (the stream sends its own copy)
};

// `request` is emptied once the response head came (it is not sent again then).
boost::asio::awaitable<void> http2_exchange(Http2Connection &connection, Http2Request &request,
                                            const ExchangeLimits &limits, ExchangeBudget &budget,
                                            AsyncResponseSink &sink, ExchangeResult &result, Http2Outcome &outcome);

} // namespace helix::transport
