#include "daemon/transport/http2_pool.hpp"

#include <algorithm>

namespace helix::transport {

std::shared_ptr<Http2Connection> Http2Pool::find(const std::string &key) {
    const auto it = sets_.find(key);
    if (it == sets_.end()) return nullptr;
    auto &set = it->second;
    std::erase_if(set, [](const auto &c) { return c->closed(); });
    if (set.empty()) {
        sets_.erase(it);
        return nullptr;
    }
    // The first with room: streams gather on few connections, so the others go idle and close.
    for (const auto &c : set)
        if (c->has_room()) return c;
    return nullptr;
}

void Http2Pool::add(const std::string &key, std::shared_ptr<Http2Connection> connection) {
    sets_[key].push_back(std::move(connection));
}

std::size_t Http2Pool::connection_count() const {
    std::size_t n = 0;
    for (const auto &[key, set] : sets_)
        n += static_cast<std::size_t>(std::count_if(set.begin(), set.end(), [](const auto &c) { return !c->closed(); }));
    return n;
}

} // namespace helix::transport
