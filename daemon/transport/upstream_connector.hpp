#pragma once
// Opens a connection to an upstream: resolves the host (or the proxy's),
// connects to each address in turn, asks an https proxy for a CONNECT
// tunnel, then the TLS handshake with SNI and the host name checked against
// the certificate (loopback names too). Each step is bounded by the connect
// timeout and the exchange's deadline; failures are thrown as
// ExchangeFailure.

#include "daemon/transport/endpoint.hpp"
#include "daemon/transport/exchange_budget.hpp"
#include "daemon/transport/exchange_types.hpp"
#include "daemon/transport/proxy_settings.hpp"
#include "daemon/transport/upstream_connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string_view>

namespace helix::transport {

// How a connection is opened beyond its endpoint: the protocols ALPN offers
// (wire format, e.g. "\x02h2\x08http/1.1"; empty: no ALPN), and whether a
// plain-http upstream is reached through the proxy's CONNECT tunnel too (h2c
// cannot go through a proxy that forwards HTTP/1.1 requests).
struct ConnectOptions {
    std::string_view alpn; // of static storage: trivially destructible, safe in a coroutine frame
    bool tunnel_plain = false;
};

boost::asio::awaitable<std::unique_ptr<UpstreamConnection>>
open_connection(const Endpoint &endpoint, const std::optional<Proxy> &proxy, boost::asio::ssl::context &tls,
                const ExchangeLimits &limits, ExchangeBudget &budget, ConnectOptions options = {});

// "host:port" for a Host header or a CONNECT request (IPv6 in brackets).
std::string authority(const std::string &host, std::uint16_t port);

// The Proxy-Authorization value for a proxy's credentials (Basic).
std::string proxy_authorization(const Proxy &proxy);

} // namespace helix::transport
