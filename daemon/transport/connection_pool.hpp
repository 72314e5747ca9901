#pragma once
// Idle keep-alive connections of one event loop, per upstream (scheme, host,
// port and the proxy used). A request takes one, or opens a new one; after a
// complete response it comes back. A connection idle longer than idle_ttl is
// closed rather than reused, since the upstream has likely closed it already
// (checked on every acquire, for every upstream, and by close_expired()). Not
// thread-safe: each loop has its own.

#include "daemon/transport/upstream_connection.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>

namespace helix::transport {

class ConnectionPool {
public:
    explicit ConnectionPool(std::size_t max_idle_per_upstream = 64,
                            std::chrono::milliseconds idle_ttl = std::chrono::seconds(30))
        : max_idle_(max_idle_per_upstream), idle_ttl_(idle_ttl) {}

    struct Lease {
        std::unique_ptr<UpstreamConnection> connection; // null: none idle, open one
        bool reused = false;
    };
    Lease acquire(const std::string &key);
    void release(const std::string &key, std::unique_ptr<UpstreamConnection> connection);
    std::size_t idle_count() const;
    void close_expired(std::chrono::steady_clock::time_point now);

private:

    std::size_t max_idle_;
    std::chrono::milliseconds idle_ttl_;
    std::map<std::string, std::deque<std::unique_ptr<UpstreamConnection>>> idle_; // oldest first
};

} // namespace helix::transport
