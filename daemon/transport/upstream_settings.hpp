#pragma once
// What every event loop's upstream client shares, read once at start: the
// TLS client context, the proxies, and the pool's limits. Immutable once
// made, so the loops read it without locks.

#include "daemon/transport/http2_connection.hpp"
#include "daemon/transport/proxy_settings.hpp"
#include "daemon/transport/tls_client_context.hpp"

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace helix::transport {

struct UpstreamSettings {
    std::shared_ptr<boost::asio::ssl::context> tls;
    ProxySettings proxies;
    std::size_t max_idle_per_upstream = 64;
    std::chrono::milliseconds idle_ttl{30'000};
    Http2Options http2{}; // PING and windows of HTTP/2 connections (their idle_ttl follows idle_ttl)

    static std::shared_ptr<const UpstreamSettings> make(const TlsSettings &tls, ProxySettings proxies,
                                                        std::size_t max_idle_per_upstream = 64,
                                                        std::chrono::milliseconds idle_ttl = std::chrono::seconds(30)) {
        return std::make_shared<const UpstreamSettings>(
            UpstreamSettings{make_tls_client_context(tls), std::move(proxies), max_idle_per_upstream, idle_ttl,
                             Http2Options{.idle_ttl = idle_ttl}});
    }
};

} // namespace helix::transport
