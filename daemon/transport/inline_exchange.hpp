#pragma once
// The blocking UpstreamClient behind the event-driven contract, run on the
// calling thread: for the thread-per-connection core, where each request
// has its connection's thread and a private event loop, so blocking there
// holds up nobody else. Each part of the response is handed to the async
// sink, which is run to completion before the client reads on.

#include "daemon/transport/async_exchange.hpp"
#include "daemon/transport/upstream_client.hpp"

namespace helix::transport {

class InlineExchange final : public AsyncExchange {
public:
    explicit InlineExchange(UpstreamClient &upstream) : upstream_(upstream) {}
    boost::asio::awaitable<ExchangeResult> exchange(const helix_http_request &request, const ExchangeLimits &limits,
                                                    AsyncResponseSink &sink) override;

private:
    UpstreamClient &upstream_;
};

} // namespace helix::transport
