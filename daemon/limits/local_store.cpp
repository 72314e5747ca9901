#include "daemon/limits/local_store.hpp"

#include "daemon/limits/calendar.hpp"
#include "daemon/limits/gcra.hpp"

#include <algorithm>
#include <chrono>

namespace helix::limits {

Micros system_now() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

LocalStore::Counters &LocalStore::counters(const std::string &scope, Micros now) {
    Counters &c = scopes_[scope];
    if (const std::int64_t day = day_of(now); c.day != day) {
        c.day = day;
        c.day_spent = 0;
    }
    if (const std::int64_t month = month_of(now); c.month != month) {
        c.month = month;
        c.month_spent = 0;
    }
    return c;
}

boost::asio::awaitable<Decision> LocalStore::admit(std::vector<ScopeDemand> demands, std::string) {
    co_return admit_now(demands);
}

Decision LocalStore::admit_now(const std::vector<ScopeDemand> &demands) {
    const std::lock_guard lock(mutex_);
    const Micros now = now_();
    Decision d;
    d.scopes.resize(demands.size());
    std::vector<GcraResult> requests(demands.size()), tokens(demands.size());
    const auto refuse = [&](Refusal why, std::size_t i, Micros retry_after) {
        if (d.refusal != Refusal::none) return;
        d.refusal = why;
        d.refused_scope = i;
        d.retry_after = std::max<Micros>(retry_after, 0);
    };
    for (std::size_t i = 0; i < demands.size(); ++i) {
        const ScopeDemand &want = demands[i];
        Counters &c = counters(want.scope, now);
        ScopeState &state = d.scopes[i];
        state.spent_day = c.day_spent;
        state.spent_month = c.month_spent;
        if (want.daily_budget > 0 && c.day_spent >= want.daily_budget) refuse(Refusal::daily_budget, i, day_end(now) - now);
        if (want.monthly_budget > 0 && c.month_spent >= want.monthly_budget)
            refuse(Refusal::monthly_budget, i, month_end(now) - now);
        if (want.max_concurrent > 0 && c.concurrent >= want.max_concurrent) refuse(Refusal::concurrency, i, 1'000'000);
        if (want.requests.on()) {
            requests[i] = gcra(c.request_tat, now, want.requests, 1);
            state.requests = requests[i].state;
            if (!requests[i].allowed) refuse(Refusal::requests, i, requests[i].retry_after);
        }
        if (want.tokens.on()) {
            tokens[i] = gcra(c.token_tat, now, want.tokens, want.tokens_wanted);
            state.tokens = tokens[i].state;
            if (want.tokens_wanted > want.tokens.limit)
                refuse(Refusal::too_many_tokens, i, 0);
            else if (!tokens[i].allowed)
                refuse(Refusal::tokens, i, tokens[i].retry_after);
        }
    }
    if (d.refusal != Refusal::none) return d;
    for (std::size_t i = 0; i < demands.size(); ++i) {
        const ScopeDemand &want = demands[i];
        Counters &c = scopes_[want.scope];
        if (want.requests.on()) c.request_tat = requests[i].tat;
        if (want.tokens.on()) c.token_tat = tokens[i].tat;
        if (want.max_concurrent > 0) ++c.concurrent;
        if (want.daily_budget > 0 || want.monthly_budget > 0) {
            c.day_spent += want.cost_wanted;
            c.month_spent += want.cost_wanted;
            d.scopes[i].spent_day = c.day_spent;
            d.scopes[i].spent_month = c.month_spent;
        }
    }
    return d;
}

void LocalStore::settle(std::vector<ScopeSettlement> settlements, std::string) {
    const std::lock_guard lock(mutex_);
    const Micros now = now_();
    for (const ScopeSettlement &s : settlements) {
        Counters &c = counters(s.scope, now);
        if (s.tokens.on() && s.token_delta != 0) c.token_tat = gcra_adjust(c.token_tat, now, s.tokens, s.token_delta);
        if (s.concurrent) c.concurrent = std::max<std::int64_t>(0, c.concurrent - 1);
        if (s.budgets) {
            c.day_spent = std::max<std::int64_t>(0, c.day_spent + s.cost_delta);
            c.month_spent = std::max<std::int64_t>(0, c.month_spent + s.cost_delta);
        }
    }
}

void LocalStore::add_spend(const std::string &scope, std::int64_t micro_usd) {
    const std::lock_guard lock(mutex_);
    Counters &c = counters(scope, now_());
    c.day_spent += micro_usd;
    c.month_spent += micro_usd;
}

} // namespace helix::limits
