#pragma once
// The event-driven upstream client of one event loop (AsyncExchange): one
// per io_context, made from its executor and the settings every loop shares.
// Its connection pool is the loop's own, so nothing in it is locked; all its
// calls must run on that loop.
//
//     auto settings = UpstreamSettings::make(tls, proxies, max_idle, idle_ttl); // once
//     AsyncUpstreamClient client(io_context.get_executor(), settings);          // per loop
//     ExchangeResult r = co_await client.exchange(request, limits, sink);
//
// Behaviour kept from the blocking client: a pooled connection that fails
// before any response byte is re-sent once on a fresh one; bodies go to the
// sink as they arrive (Content-Length, chunked or close-delimited, with no
// size limit), and a body short of its Content-Length, or a chunked one cut
// off, is a reset; any status (529 too) is handed on as it came.
//
// HTTP/2 (ExchangeLimits::http2, see http2_mode.hpp) goes through the loop's
// Http2Pool instead: many exchanges share a connection, one stream each
// (http2_exchange.hpp), with the same sink contract, timeouts and cancellation.

#include "daemon/transport/async_exchange.hpp"
#include "daemon/transport/connection_pool.hpp"
#include "daemon/transport/endpoint.hpp"
#include "daemon/transport/exchange_budget.hpp"
#include "daemon/transport/http2_pool.hpp"
#include "daemon/transport/proxy_settings.hpp"
#include "daemon/transport/upstream_settings.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace helix::transport {

class AsyncUpstreamClient final : public AsyncExchange {
public:
    AsyncUpstreamClient(boost::asio::any_io_executor executor, std::shared_ptr<const UpstreamSettings> settings);

    boost::asio::awaitable<ExchangeResult> exchange(const helix_http_request &request, const ExchangeLimits &limits,
                                                    AsyncResponseSink &sink) override;

    const boost::asio::any_io_executor &executor() const { return executor_; }
    std::size_t idle_count() const { return pool_.idle_count(); } // on the loop only
    std::size_t http2_connection_count() const { return http2_.connection_count(); } // on the loop only
    // Calls in flight that went to HTTP/2, so share an upstream connection
    // instead of holding a socket each (what the acceptor's descriptor
    // headroom counts); read from any thread.
    std::int64_t http2_calls() const { return http2_calls_.load(std::memory_order_relaxed); }

private:
    // Where a URL goes: parsed once per loop (a plugin asks for the same few
    // URLs on every call), with the proxy chosen for it and its pool key.
    struct Route {
        Endpoint endpoint;
        std::optional<Proxy> proxy;
        std::string key;
    };
    static constexpr std::size_t kMaxRoutes = 256; // more distinct URLs: the cache starts over
    // Null for a URL that is not an absolute http(s) one; `cached`: kept for the next calls.
    std::shared_ptr<const Route> route_of(std::string_view url, bool cached);
    struct UrlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view url) const noexcept { return std::hash<std::string_view>{}(url); }
    };

    boost::asio::awaitable<ExchangeResult> run(const helix_http_request &request, const ExchangeLimits &limits,
                                               AsyncResponseSink &sink, ExchangeResult &result);
    boost::asio::awaitable<ExchangeResult> run_http1(const helix_http_request &request, const Endpoint &endpoint,
                                                     const std::optional<Proxy> &proxy, const std::string &key,
                                                     const ExchangeLimits &limits, ExchangeBudget &budget,
                                                     AsyncResponseSink &sink, ExchangeResult &result,
                                                     std::unique_ptr<UpstreamConnection> opened);
    boost::asio::awaitable<ExchangeResult> run_http2(const helix_http_request &request, const Endpoint &endpoint,
                                                     const std::optional<Proxy> &proxy, const std::string &key,
                                                     const ExchangeLimits &limits, ExchangeBudget &budget,
                                                     AsyncResponseSink &sink, ExchangeResult &result);

    boost::asio::any_io_executor executor_;
    std::shared_ptr<const UpstreamSettings> settings_;
    ConnectionPool pool_;
    Http2Pool http2_;
    std::set<std::string> http1_upstreams_; // with http2: auto, the TLS upstreams whose ALPN chose HTTP/1.1
    // A call holds its route: starting over does not pull it from under a call in flight.
    std::unordered_map<std::string, std::shared_ptr<const Route>, UrlHash, std::equal_to<>> routes_;
    std::atomic<std::int64_t> http2_calls_{0};
};

} // namespace helix::transport
