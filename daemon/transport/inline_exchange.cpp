#include "daemon/transport/inline_exchange.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

namespace helix::transport {

namespace {

// Runs one sink call to its end on a loop of its own (the caller's loop is
// busy in this very exchange).
bool run_to_end(boost::asio::awaitable<bool> step) {
    boost::asio::io_context nested;
    bool result = false;
    std::exception_ptr failure;
    boost::asio::co_spawn(nested, std::move(step), [&](std::exception_ptr e, bool r) {
        failure = e;
        result = r;
    });
    nested.run();
    if (failure) std::rethrow_exception(failure);
    return result;
}

class Bridge final : public ResponseSink {
public:
    explicit Bridge(AsyncResponseSink &sink) : sink_(sink) {}
    bool on_head(int status, const Headers &headers) override { return run_to_end(sink_.on_head(status, headers)); }
    bool on_body(const char *data, std::size_t len) override { return run_to_end(sink_.on_body({data, len})); }

private:
    AsyncResponseSink &sink_;
};

} // namespace

boost::asio::awaitable<ExchangeResult> InlineExchange::exchange(const helix_http_request &request,
                                                                const ExchangeLimits &limits, AsyncResponseSink &sink) {
    Bridge bridge(sink);
    co_return upstream_.exchange(request, limits, bridge);
}

} // namespace helix::transport
