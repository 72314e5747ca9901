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

namespace helix::transport {

boost::asio::awaitable<std::unique_ptr<UpstreamConnection>>
open_connection(const Endpoint &endpoint, const std::optional<Proxy> &proxy, boost::asio::ssl::context &tls,
                const ExchangeLimits &limits, ExchangeBudget &budget);

// "host:port" for a Host header or a CONNECT request (IPv6 in brackets).
std::string authority(const std::string &host, std::uint16_t port);

// The Proxy-Authorization value for a proxy's credentials (Basic).
std::string proxy_authorization(const Proxy &proxy);

} // namespace helix::transport
