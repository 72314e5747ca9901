#include "daemon/limits/redis_store.hpp"

#include "daemon/limits/calendar.hpp"
#include "daemon/limits/redis_scripts.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace helix::limits {

namespace asio = boost::asio;

namespace {

std::string key_of(const std::string &scope) { return "helix:" + scope; }

std::int64_t divided(std::int64_t limit, std::size_t replicas) {
    if (limit <= 0) return limit;
    return std::max<std::int64_t>(1, limit / static_cast<std::int64_t>(replicas));
}

// The decision of an admit_script reply; false when the reply is not one.
bool parse_decision(const redis::RespValue &reply, std::size_t scopes, Decision &d) {
    if (reply.type != redis::RespValue::Type::array || reply.elements.size() != 3 + scopes * admit_results_per_scope)
        return false;
    for (const auto &e : reply.elements)
        if (e.type != redis::RespValue::Type::integer) return false;
    const auto at = [&](std::size_t i) { return reply.elements[i].integer; };
    if (at(0) < 0 || at(0) > static_cast<std::int64_t>(Refusal::store_unavailable)) return false;
    d.refusal = static_cast<Refusal>(at(0));
    d.refused_scope = static_cast<std::size_t>(std::clamp<std::int64_t>(at(1), 0, static_cast<std::int64_t>(scopes) - 1));
    d.retry_after = at(2);
    d.scopes.resize(scopes);
    for (std::size_t i = 0; i < scopes; ++i) {
        const std::size_t b = 3 + i * admit_results_per_scope;
        ScopeState &s = d.scopes[i];
        s.requests = RateState{at(b), at(b + 1), at(b + 2)};
        s.tokens = RateState{at(b + 3), at(b + 4), at(b + 5)};
        s.spent_day = at(b + 6);
        s.spent_month = at(b + 7);
    }
    return true;
}

} // namespace

RedisStore::RedisStore(std::shared_ptr<redis::RedisClient> client, std::size_t replicas, Micros lease_lifetime)
    : client_(std::move(client)), replicas_(std::max<std::size_t>(replicas, 1)), lease_lifetime_(lease_lifetime) {}

std::shared_ptr<RedisStore> RedisStore::make(std::shared_ptr<redis::RedisClient> client, std::size_t replicas,
                                             Micros lease_lifetime) {
    auto store = std::make_shared<RedisStore>(std::move(client), replicas, lease_lifetime);
    asio::co_spawn(store->client_->background(), flush_loop(store), asio::detached);
    return store;
}

asio::awaitable<Decision> RedisStore::admit(std::vector<ScopeDemand> demands, std::string lease) {
    std::vector<std::string> keys, args{lease, std::to_string(lease_lifetime_)};
    for (const ScopeDemand &d : demands) {
        keys.push_back(key_of(d.scope));
        for (const std::int64_t v : {d.requests.limit, d.requests.window, d.tokens.limit, d.tokens.window,
                                     d.tokens_wanted, d.max_concurrent, d.daily_budget, d.monthly_budget, d.cost_wanted})
            args.push_back(std::to_string(v));
    }
    const redis::RespResult result = co_await client_->eval(admit_script(), std::move(keys), std::move(args));
    Decision d;
    if (result.ok && parse_decision(result.value, demands.size(), d)) {
        const Micros now = system_now();
        if (d.refusal == Refusal::daily_budget) d.retry_after = day_end(now) - now;
        if (d.refusal == Refusal::monthly_budget) d.retry_after = month_end(now) - now;
        co_return d;
    }
    co_return local_decision(demands, lease);
}

Decision RedisStore::local_decision(const std::vector<ScopeDemand> &demands, const std::string &lease) {
    for (std::size_t i = 0; i < demands.size(); ++i) {
        if (!demands[i].deny_on_store_failure) continue;
        Decision refused;
        refused.refusal = Refusal::store_unavailable;
        refused.refused_scope = i;
        refused.retry_after = 1'000'000;
        refused.scopes.resize(demands.size());
        refused.degraded = true;
        return refused;
    }
    std::vector<ScopeDemand> shares = demands;
    for (ScopeDemand &d : shares) {
        d.requests.limit = divided(d.requests.limit, replicas_);
        d.tokens.limit = divided(d.tokens.limit, replicas_);
        d.max_concurrent = divided(d.max_concurrent, replicas_);
        d.daily_budget = divided(d.daily_budget, replicas_);
        d.monthly_budget = divided(d.monthly_budget, replicas_);
    }
    Decision d = local_.admit_now(shares);
    d.degraded = true;
    if (d.refusal == Refusal::none) {
        std::vector<std::pair<std::string, std::int64_t>> reserved;
        for (const ScopeDemand &s : shares)
            reserved.emplace_back(s.scope, s.daily_budget > 0 || s.monthly_budget > 0 ? s.cost_wanted : -1);
        const std::lock_guard lock(mutex_);
        local_leases_[lease] = std::move(reserved);
    }
    return d;
}

void RedisStore::settle(std::vector<ScopeSettlement> settlements, std::string lease) {
    {
        std::unique_lock lock(mutex_);
        if (const auto it = local_leases_.find(lease); it != local_leases_.end()) {
            // Decided locally: settled locally, and its spend kept for Redis.
            const auto reserved = std::move(it->second);
            local_leases_.erase(it);
            for (std::size_t i = 0; i < settlements.size() && i < reserved.size(); ++i)
                if (reserved[i].second >= 0)
                    unsent_[reserved[i].first] += std::max<std::int64_t>(0, reserved[i].second + settlements[i].cost_delta);
            lock.unlock();
            for (ScopeSettlement &s : settlements) s.tokens.limit = divided(s.tokens.limit, replicas_);
            local_.settle(std::move(settlements), std::move(lease));
            return;
        }
    }
    asio::co_spawn(client_->background(), send_settlement(std::move(settlements), std::move(lease)), asio::detached);
}

asio::awaitable<void> RedisStore::send_settlement(std::vector<ScopeSettlement> settlements, std::string lease) {
    auto self = shared_from_this();
    std::vector<std::string> keys, args{lease};
    for (const ScopeSettlement &s : settlements) {
        keys.push_back(key_of(s.scope));
        for (const std::int64_t v : {s.tokens.limit, s.tokens.window, s.token_delta, std::int64_t{s.concurrent},
                                     std::int64_t{s.budgets}, s.cost_delta})
            args.push_back(std::to_string(v));
    }
    const redis::RespResult result = co_await client_->eval(settle_script(), std::move(keys), std::move(args));
    if (result.ok && !result.value.is_error()) co_return;
    // Not applied: the spend difference is kept for later; a lease expires
    // by itself, and a token difference is lost (its window passes soon).
    for (const ScopeSettlement &s : settlements)
        if (s.budgets && s.cost_delta != 0) keep_unsent(s.scope, s.cost_delta);
}

void RedisStore::keep_unsent(const std::string &scope, std::int64_t micro_usd) {
    const std::lock_guard lock(mutex_);
    unsent_[scope] += micro_usd;
}

std::int64_t RedisStore::unsent_spend() const {
    const std::lock_guard lock(mutex_);
    std::int64_t total = 0;
    for (const auto &[scope, amount] : unsent_) total += amount;
    return total;
}

asio::awaitable<void> RedisStore::flush_unsent() {
    std::map<std::string, std::int64_t> sending;
    {
        const std::lock_guard lock(mutex_);
        for (const auto &[scope, amount] : unsent_)
            if (amount != 0) sending[scope] = amount;
    }
    if (sending.empty()) co_return;
    std::vector<std::string> keys, args{"-"};
    for (const auto &[scope, amount] : sending) {
        keys.push_back(key_of(scope));
        for (const std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{0}, std::int64_t{0},
                                     std::int64_t{1}, amount})
            args.push_back(std::to_string(v));
    }
    const redis::RespResult result = co_await client_->eval(settle_script(), std::move(keys), std::move(args));
    if (!result.ok || result.value.is_error()) co_return;
    const std::lock_guard lock(mutex_);
    for (const auto &[scope, amount] : sending)
        if ((unsent_[scope] -= amount) == 0) unsent_.erase(scope);
}

asio::awaitable<void> RedisStore::flush_loop(std::weak_ptr<RedisStore> weak) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(std::chrono::milliseconds(250));
        const auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        const auto self = weak.lock();
        if (!self) co_return;
        co_await self->flush_unsent();
    }
}

} // namespace helix::limits
