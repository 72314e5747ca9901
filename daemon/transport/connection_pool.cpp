#include "daemon/transport/connection_pool.hpp"

#include <Poco/Net/HTTPSClientSession.h>

namespace helix::transport {

namespace {

Poco::Net::Context::Ptr make_tls_context(const TlsSettings &tls) {
    using Poco::Net::Context;
    // VERIFY_RELAXED on a client verifies the server's certificate chain; the
    // host name is checked by HTTPSClientSession itself.
    const auto mode = tls.verify ? Context::VERIFY_RELAXED : Context::VERIFY_NONE;
    return new Context(Context::TLS_CLIENT_USE, "", "", tls.ca_file, mode, 9, tls.ca_file.empty());
}

} // namespace

ConnectionPool::ConnectionPool(TlsSettings tls, ProxySettings proxies, std::size_t max_idle_per_upstream,
                               std::chrono::milliseconds idle_ttl)
    : tls_context_(make_tls_context(tls)), proxies_(std::move(proxies)), max_idle_(max_idle_per_upstream),
      idle_ttl_(idle_ttl) {}

std::unique_ptr<Poco::Net::HTTPClientSession> ConnectionPool::open(const Endpoint &endpoint) const {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (endpoint.tls)
        session = std::make_unique<Poco::Net::HTTPSClientSession>(endpoint.host, endpoint.port, tls_context_);
    else
        session = std::make_unique<Poco::Net::HTTPClientSession>(endpoint.host, endpoint.port);
    if (const auto proxy = proxies_.for_host(endpoint.host, endpoint.tls)) {
        session->setProxy(proxy->host, proxy->port);
        if (!proxy->username.empty()) session->setProxyCredentials(proxy->username, proxy->password);
    }
    session->setKeepAlive(true);
    return session;
}

ConnectionPool::Lease ConnectionPool::acquire(const Endpoint &endpoint) {
    {
        std::lock_guard lock(mutex_);
        close_expired(std::chrono::steady_clock::now());
        auto it = idle_.find(endpoint.key());
        if (it != idle_.end() && !it->second.empty()) {
            Idle entry = std::move(it->second.back()); // most recently used first: likeliest still open
            it->second.pop_back();
            return {std::move(entry.session), true};
        }
    }
    return {open(endpoint), false};
}

// Every upstream's, not only the one asked for: the sockets of an upstream
// no longer called would otherwise stay open (each an open file) for good.
void ConnectionPool::close_expired(std::chrono::steady_clock::time_point now) {
    for (auto &[key, queue] : idle_) {
        // Oldest at the front: release() appends.
        while (!queue.empty() && now - queue.front().since > idle_ttl_) queue.pop_front();
    }
}

void ConnectionPool::release(const Endpoint &endpoint, std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    std::lock_guard lock(mutex_);
    auto &queue = idle_[endpoint.key()];
    if (queue.size() >= max_idle_) queue.pop_front();
    queue.push_back({std::move(session), std::chrono::steady_clock::now()});
}

std::size_t ConnectionPool::idle_count() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto &[key, queue] : idle_) n += queue.size();
    return n;
}

} // namespace helix::transport
