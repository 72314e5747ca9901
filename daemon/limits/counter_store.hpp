#pragma once
// Where the counters of the limits live: this replica's memory
// (LocalStore) or a Redis server every replica shares (RedisStore). An
// admission checks every scope it names and takes from all of them, or from
// none, in one step.

#include "daemon/limits/demand.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <vector>

namespace helix::limits {

class CounterStore {
public:
    virtual ~CounterStore() = default;
    // `lease` names this request's concurrency slots (unique per request).
    virtual boost::asio::awaitable<Decision> admit(std::vector<ScopeDemand> demands, std::string lease) = 0;
    // Real usage in place of the reservations, and the leases freed. Returns
    // at once; the store applies it in its own time.
    virtual void settle(std::vector<ScopeSettlement> settlements, std::string lease) = 0;
    // A store shared by replicas: whether it answers (false: degraded, on
    // local counters). nullopt: this replica's own counters.
    virtual std::optional<bool> shared_up() const { return std::nullopt; }
};

} // namespace helix::limits
