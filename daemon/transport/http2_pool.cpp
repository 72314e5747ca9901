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
    if (set.front()->settings_received()) known_limits_[key] = set.front()->stream_limit();
    // The first with room: streams gather on few connections, so the others go idle and close.
    for (const auto &c : set)
        if (c->has_room()) return c;
    return nullptr;
}

std::shared_ptr<Http2Opening> Http2Pool::join(const std::string &key) {
    const auto it = openings_.find(key);
    if (it == openings_.end()) return nullptr;
    for (const auto &o : it->second) {
        if (o->takers < o->capacity) {
            ++o->takers;
            return o;
        }
    }
    return nullptr;
}

std::shared_ptr<Http2Opening> Http2Pool::begin_opening(const std::string &key) {
    auto opening = std::make_shared<Http2Opening>();
    opening->capacity = expected_streams(key);
    openings_[key].push_back(opening);
    return opening;
}

void Http2Pool::end_opening(const std::string &key, Http2Opening &opening) {
    if (opening.done) return;
    opening.done = true;
    for (auto *waiter : opening.waiters) waiter->cancel();
    const auto it = openings_.find(key);
    if (it == openings_.end()) return;
    std::erase_if(it->second, [&](const auto &o) { return o.get() == &opening; });
    if (it->second.empty()) openings_.erase(it);
}

std::uint32_t Http2Pool::expected_streams(const std::string &key) const {
    const auto it = known_limits_.find(key);
    return it == known_limits_.end() ? Http2Connection::kAssumedConcurrentStreams : std::max<std::uint32_t>(1, it->second);
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
