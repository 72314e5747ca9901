#pragma once
// The providers' state every replica shares through the Redis of
// shared_state: a provider's Retry-After cool-down and a provider/model's
// opened circuit, published by the replica that saw them, and one half-open
// probe for all replicas.
//
// Publishing is immediate (on the background loop, when it happens); the
// others learn it by polling one hash every 250 ms (one small round trip
// per replica, a reply whose size is the number of providers in trouble), so
// every replica honours it within a second without a subscriber connection
// to keep alive. The probe is a SET NX PX: the replica that gets it sends
// the probe, the others hold the circuit open a second longer and ask
// again, and the probe's success (the circuit closes: the entry is
// deleted) reaches them at their next poll. Redis unreachable: every
// replica decides on its own, as without shared_state.

#include "daemon/redis/redis_client.hpp"
#include "daemon/router/circuit_breakers.hpp"
#include "daemon/router/provider_cooldowns.hpp"

#include <memory>
#include <mutex>
#include <set>

namespace helix::router {

class SharedProviderState : public std::enable_shared_from_this<SharedProviderState> {
public:
    // `breakers` and `cooldowns` are the process's (they outlive this).
    static std::shared_ptr<SharedProviderState> make(std::shared_ptr<redis::RedisClient> client,
                                                     CircuitBreakers &breakers, ProviderCooldowns &cooldowns,
                                                     CircuitBreakers::Settings settings,
                                                     std::chrono::milliseconds probe_lease);
    SharedProviderState(std::shared_ptr<redis::RedisClient> client, CircuitBreakers &breakers,
                        ProviderCooldowns &cooldowns, CircuitBreakers::Settings settings,
                        std::chrono::milliseconds probe_lease);

    void publish_cooldown(const std::string &provider, std::chrono::milliseconds length);
    void publish_open(const std::string &key);
    void publish_closed(const std::string &key);
    // On the request's loop: may this replica send the half-open probe of
    // `key`? True when Redis does not answer (each replica decides alone).
    boost::asio::awaitable<bool> claim_probe(const std::string &key);
    // The probe ended: `failed`, the claim stays for one more cool-down (the
    // circuit reopened; every replica learns it meanwhile), else it is freed.
    void release_probe(const std::string &key, bool failed);

    // One poll (the loop calls it every 250 ms; tests call it directly).
    boost::asio::awaitable<void> poll();

private:
    static boost::asio::awaitable<void> poll_loop(std::weak_ptr<SharedProviderState> self);
    void send(std::vector<std::string> keys, std::vector<std::string> args, const redis::Script &script);
    static boost::asio::awaitable<void> eval_detached(std::shared_ptr<SharedProviderState> self,
                                                      std::vector<std::string> keys, std::vector<std::string> args,
                                                      const redis::Script *script);
    static boost::asio::awaitable<void> call_detached(std::shared_ptr<SharedProviderState> self,
                                                      std::vector<std::string> argv);

    const std::shared_ptr<redis::RedisClient> client_;
    CircuitBreakers &breakers_;
    ProviderCooldowns &cooldowns_;
    const CircuitBreakers::Settings settings_;
    const std::chrono::milliseconds probe_lease_;
    const std::string replica_; // this process, in the probe's value
    std::set<std::string> seen_open_; // circuits the last poll found open (background loop only)
};

// The current one, swapped on reload (null without shared_state).
class SharedProviderSlot {
public:
    std::shared_ptr<SharedProviderState> get() const {
        const std::lock_guard lock(mutex_);
        return state_;
    }
    void set(std::shared_ptr<SharedProviderState> state) {
        const std::lock_guard lock(mutex_);
        state_ = std::move(state);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<SharedProviderState> state_;
};

} // namespace helix::router
