#pragma once
// Idle keep-alive connections per upstream (scheme, host, port). A request
// takes one, or opens a new one; after a complete response it comes back.
// A connection idle longer than idle_ttl is closed rather than reused, since
// the upstream has likely closed it already (checked on every acquire, for
// every upstream).

#include "daemon/transport/endpoint.hpp"
#include "daemon/transport/proxy_settings.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

namespace helix::transport {

struct TlsSettings {
    bool verify = true;
    std::string ca_file; // empty: the system's CA store
};

class ConnectionPool {
public:
    ConnectionPool(TlsSettings tls, ProxySettings proxies, std::size_t max_idle_per_upstream = 64,
                   std::chrono::milliseconds idle_ttl = std::chrono::seconds(30));

    struct Lease {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        bool reused = false;
    };
    Lease acquire(const Endpoint &endpoint);
    void release(const Endpoint &endpoint, std::unique_ptr<Poco::Net::HTTPClientSession> session);
    std::size_t idle_count() const;

private:
    struct Idle {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        std::chrono::steady_clock::time_point since;
    };
    std::unique_ptr<Poco::Net::HTTPClientSession> open(const Endpoint &endpoint) const;
    void close_expired(std::chrono::steady_clock::time_point now); // mutex_ held

    Poco::Net::Context::Ptr tls_context_;
    ProxySettings proxies_;
    std::size_t max_idle_;
    std::chrono::milliseconds idle_ttl_;
    mutable std::mutex mutex_;
    std::map<std::string, std::deque<Idle>> idle_;
};

} // namespace helix::transport
