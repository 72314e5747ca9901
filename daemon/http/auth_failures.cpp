#include "daemon/http/auth_failures.hpp"

#include <Poco/Net/IPAddress.h>

#include <algorithm>

namespace helix::http {

std::chrono::milliseconds AuthFailures::refused_for(const std::string &address, const Policy &policy,
                                                    Clock::time_point now) {
    if (policy.limit == 0) return std::chrono::milliseconds{0};
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(address);
    if (it == entries_.end()) return std::chrono::milliseconds{0};
    const auto until = it->second.last + policy.block;
    if (now >= until) {
        entries_.erase(it); // quiet for a whole block: forgiven
        return std::chrono::milliseconds{0};
    }
    if (it->second.failures < policy.limit) return std::chrono::milliseconds{0};
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until - now), std::chrono::milliseconds{1});
}

void AuthFailures::failed(const std::string &address, const Policy &policy, Clock::time_point now) {
    if (policy.limit == 0) return;
    const std::lock_guard lock(mutex_);
    auto it = entries_.find(address);
    if (it != entries_.end() && now >= it->second.last + policy.block) it->second.failures = 0;
    if (it == entries_.end()) {
        if (entries_.size() >= capacity_) make_room(now, policy);
        it = entries_.emplace(address, Entry{}).first;
    }
    ++it->second.failures;
    it->second.last = now;
}

void AuthFailures::make_room(Clock::time_point now, const Policy &policy) {
    std::erase_if(entries_, [&](const auto &entry) { return now >= entry.second.last + policy.block; });
    if (entries_.size() < capacity_) return;
    const auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                         [](const auto &a, const auto &b) { return a.second.last < b.second.last; });
    entries_.erase(oldest);
}

std::size_t AuthFailures::size() const {
    const std::lock_guard lock(mutex_);
    return entries_.size();
}

std::string AuthFailures::source_of(const Poco::Net::IPAddress &address) {
    if (address.family() != Poco::Net::IPAddress::IPv6 || address.isIPv4Mapped()) return address.toString();
    return (address & Poco::Net::IPAddress(64, Poco::Net::IPAddress::IPv6)).toString() + "/64";
}

} // namespace helix::http
