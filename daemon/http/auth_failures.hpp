#pragma once
// Failed client-key attempts per source address, so that an address guessing
// keys is slowed down: after `limit` failures, each within `block` of the
// previous one, the address is refused (429, without its key being checked)
// until `block` has passed since its last failure. IPv6 addresses count per
// /64, the block a single host is usually given. The table is bounded: when
// full, the entry whose last failure is oldest makes room.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Poco::Net { class IPAddress; }

namespace helix::http {

class AuthFailures {
public:
    using Clock = std::chrono::steady_clock;
    struct Policy {
        std::size_t limit = 0; // failures before an address is refused; 0: never
        std::chrono::milliseconds block{0};
    };

    explicit AuthFailures(std::size_t capacity = 4096) : capacity_(capacity) {}

    // How long `address` is still refused; zero when it may try a key.
    std::chrono::milliseconds refused_for(const std::string &address, const Policy &policy,
                                          Clock::time_point now = Clock::now());
    // One more failed attempt from `address`.
    void failed(const std::string &address, const Policy &policy, Clock::time_point now = Clock::now());

    std::size_t size() const;

    // The table's key for a client address: the address itself, or its /64 for IPv6.
    static std::string source_of(const Poco::Net::IPAddress &address);

private:
    struct Entry {
        std::size_t failures = 0;
        Clock::time_point last{};
    };
    void make_room(Clock::time_point now, const Policy &policy);

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

} // namespace helix::http
