#include "daemon/transport/connection_pool.hpp"

namespace helix::transport {

ConnectionPool::Lease ConnectionPool::acquire(const std::string &key) {
    close_expired(std::chrono::steady_clock::now());
    const auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return {nullptr, false};
    auto connection = std::move(it->second.back()); // most recently used first: likeliest still open
    it->second.pop_back();
    return {std::move(connection), true};
}

// Every upstream's, not only the one asked for: the sockets of an upstream
// no longer called would otherwise stay open (each an open file) for good.
void ConnectionPool::close_expired(std::chrono::steady_clock::time_point now) {
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto &queue = it->second;
        while (!queue.empty() && now - queue.front()->idle_since > idle_ttl_) queue.pop_front();
        it = queue.empty() ? idle_.erase(it) : std::next(it);
    }
}

void ConnectionPool::release(const std::string &key, std::unique_ptr<UpstreamConnection> connection) {
    if (max_idle_ == 0) return;
    connection->idle_since = std::chrono::steady_clock::now();
    auto &queue = idle_[key];
    if (queue.size() >= max_idle_) queue.pop_front();
    queue.push_back(std::move(connection));
}

std::size_t ConnectionPool::idle_count() const {
    std::size_t n = 0;
    for (const auto &[key, queue] : idle_) n += queue.size();
    return n;
}

} // namespace helix::transport
