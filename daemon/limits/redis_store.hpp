#pragma once
// The counters every replica shares, in Redis: one admission is one Lua
// script run (redis_scripts.hpp) that checks every scope it names and takes
// from all of them or from none, on Redis's clock.
//
// Redis down, stopped or slow (a call fails or passes the timeout, or the
// client's circuit is open): the admission is decided on this replica's
// LocalStore with each limit divided by the number of replicas, unless a
// scope says on_store_failure: deny (refused, a hard cap). What such
// requests spend is kept and added to Redis once it answers again.
// Settlements go out on the client's background loop; nobody waits for them.

#include "daemon/limits/counter_store.hpp"
#include "daemon/limits/local_store.hpp"
#include "daemon/redis/redis_client.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace helix::limits {

class RedisStore final : public CounterStore, public std::enable_shared_from_this<RedisStore> {
public:
    // `lease_lifetime`: how long a concurrency slot stays taken when its
    // request never settles (a replica that died); longer than any request.
    static std::shared_ptr<RedisStore> make(std::shared_ptr<redis::RedisClient> client, std::size_t replicas,
                                            Micros lease_lifetime);

    boost::asio::awaitable<Decision> admit(std::vector<ScopeDemand> demands, std::string lease) override;
    void settle(std::vector<ScopeSettlement> settlements, std::string lease) override;

    std::optional<bool> shared_up() const override { return client_->up(); }
    const std::shared_ptr<redis::RedisClient> &client() const noexcept { return client_; }
    // Spend recorded while Redis was unreachable, not yet added to it (micro-USD).
    std::int64_t unsent_spend() const;

    RedisStore(std::shared_ptr<redis::RedisClient> client, std::size_t replicas, Micros lease_lifetime);

private:
    Decision local_decision(const std::vector<ScopeDemand> &demands, const std::string &lease);
    boost::asio::awaitable<void> send_settlement(std::vector<ScopeSettlement> settlements, std::string lease);
    boost::asio::awaitable<void> flush_unsent();
    static boost::asio::awaitable<void> flush_loop(std::weak_ptr<RedisStore> self);
    void keep_unsent(const std::string &scope, std::int64_t micro_usd);

    const std::shared_ptr<redis::RedisClient> client_;
    const std::size_t replicas_;
    const Micros lease_lifetime_;
    LocalStore local_;
    mutable std::mutex mutex_;
    // Admissions decided locally, by lease: what each scope reserved (micro-USD).
    std::map<std::string, std::vector<std::pair<std::string, std::int64_t>>> local_leases_;
    std::map<std::string, std::int64_t> unsent_; // scope -> spend Redis has not seen
};

} // namespace helix::limits
