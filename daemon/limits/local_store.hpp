#pragma once
// The counters of one replica, in memory under one mutex: what the limits
// use without shared_state, and what they fall back to while the shared
// store is unreachable.

#include "daemon/limits/counter_store.hpp"

#include <functional>
#include <mutex>
#include <unordered_map>

namespace helix::limits {

// Microseconds since the Unix epoch (the system clock), or a test's clock.
using WallClock = std::function<Micros()>;
Micros system_now();

class LocalStore final : public CounterStore {
public:
    explicit LocalStore(WallClock now = system_now) : now_(std::move(now)) {}

    boost::asio::awaitable<Decision> admit(std::vector<ScopeDemand> demands, std::string lease) override;
    void settle(std::vector<ScopeSettlement> settlements, std::string lease) override;

    // The same, for callers that cannot await (and the awaitable's body).
    Decision admit_now(const std::vector<ScopeDemand> &demands);
    // Spend to add to a scope's current day and month (spend recorded while
    // the shared store was down, counted here too).
    void add_spend(const std::string &scope, std::int64_t micro_usd);

private:
    struct Counters {
        Micros request_tat = 0;
        Micros token_tat = 0;
        std::int64_t concurrent = 0;
        std::int64_t day = -1;
        std::int64_t day_spent = 0;
        std::int64_t month = -1;
        std::int64_t month_spent = 0;
    };
    Counters &counters(const std::string &scope, Micros now); // with the periods rolled over

    WallClock now_;
    std::mutex mutex_;
    std::unordered_map<std::string, Counters> scopes_;
};

} // namespace helix::limits
