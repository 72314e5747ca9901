#include "daemon/limits/limiter.hpp"

#include "daemon/limits/local_store.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <utility>

namespace helix::limits {

namespace {

std::int64_t micro_usd(double usd) { return static_cast<std::int64_t>(std::llround(usd * 1e6)); }

Rate rate_of(std::uint64_t limit, std::chrono::milliseconds window) {
    return Rate{static_cast<std::int64_t>(limit), static_cast<Micros>(window.count()) * 1000};
}

} // namespace

ScopeDemand scope_demand(std::string scope, const config::Limits &limits, std::int64_t tokens,
                         std::optional<double> cost) {
    ScopeDemand d;
    d.scope = std::move(scope);
    d.requests = rate_of(limits.rpm, limits.window);
    d.tokens = rate_of(limits.tpm, limits.window);
    d.tokens_wanted = std::max<std::int64_t>(tokens, 0);
    d.max_concurrent = static_cast<std::int64_t>(limits.max_concurrent);
    d.daily_budget = micro_usd(limits.daily_usd);
    d.monthly_budget = micro_usd(limits.monthly_usd);
    d.cost_wanted = cost ? std::max<std::int64_t>(micro_usd(*cost), 0) : 0;
    d.deny_on_store_failure = limits.deny_on_store_failure;
    return d;
}

Admission::Admission(std::shared_ptr<CounterStore> store, std::vector<ScopeDemand> demands, Decision decision,
                     std::string lease)
    : store_(std::move(store)), demands_(std::move(demands)), decision_(std::move(decision)), lease_(std::move(lease)) {}

Admission::Admission(Admission &&other) noexcept
    : store_(std::move(other.store_)), demands_(std::move(other.demands_)), decision_(std::move(other.decision_)),
      lease_(std::move(other.lease_)), settled_(std::exchange(other.settled_, true)) {}

Admission &Admission::operator=(Admission &&other) noexcept {
    if (this != &other) {
        if (!settled_) settle(-1, std::nullopt);
        store_ = std::move(other.store_);
        demands_ = std::move(other.demands_);
        decision_ = std::move(other.decision_);
        lease_ = std::move(other.lease_);
        settled_ = std::exchange(other.settled_, true);
    }
    return *this;
}

Admission::~Admission() {
    if (!settled_) settle(-1, std::nullopt);
}

std::optional<double> Admission::budget_left(bool monthly) const {
    for (std::size_t i = 0; i < demands_.size() && i < decision_.scopes.size(); ++i) {
        const std::int64_t budget = monthly ? demands_[i].monthly_budget : demands_[i].daily_budget;
        if (budget <= 0) continue;
        const std::int64_t spent = monthly ? decision_.scopes[i].spent_month : decision_.scopes[i].spent_day;
        return static_cast<double>(std::max<std::int64_t>(0, budget - spent)) / 1e6;
    }
    return std::nullopt;
}

// tokens < 0: the reservation stands (the usage is unknown).
void Admission::settle(std::int64_t tokens, std::optional<double> cost) {
    if (settled_) return;
    settled_ = true;
    if (!store_ || demands_.empty() || !allowed()) return;
    std::vector<ScopeSettlement> out;
    for (const ScopeDemand &d : demands_) {
        ScopeSettlement s;
        s.scope = d.scope;
        s.tokens = d.tokens;
        s.token_delta = tokens >= 0 ? tokens - d.tokens_wanted : 0;
        s.cost_delta = cost ? micro_usd(*cost) - d.cost_wanted : 0;
        s.concurrent = d.max_concurrent > 0;
        s.budgets = d.daily_budget > 0 || d.monthly_budget > 0;
        out.push_back(std::move(s));
    }
    store_->settle(std::move(out), lease_);
}

Limiter::Limiter() : store_(std::make_shared<LocalStore>()) {
    std::random_device random;
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%08x%08x-", random(), random());
    lease_prefix_ = prefix;
}

void Limiter::use_store(std::shared_ptr<CounterStore> store) {
    const std::lock_guard lock(mutex_);
    store_ = std::move(store);
}

std::shared_ptr<CounterStore> Limiter::store() const {
    const std::lock_guard lock(mutex_);
    return store_;
}

std::string Limiter::next_lease() { return lease_prefix_ + std::to_string(leases_.fetch_add(1)); }

boost::asio::awaitable<Admission> Limiter::admit(const ClientDemand &demand) {
    std::vector<ScopeDemand> demands;
    const std::string key = "key:" + std::string(demand.key);
    if (demand.limits.key.any()) demands.push_back(scope_demand(key, demand.limits.key, demand.tokens, demand.cost));
    if (const auto it = demand.limits.models.find(std::string(demand.model)); it != demand.limits.models.end())
        demands.push_back(scope_demand(key + "|model:" + it->first, it->second, demand.tokens, demand.cost));
    if (demands.empty()) co_return Admission{};
    auto s = store();
    std::string lease = next_lease();
    Decision decision = co_await s->admit(demands, lease);
    co_return Admission(std::move(s), std::move(demands), std::move(decision), std::move(lease));
}

boost::asio::awaitable<Admission> Limiter::admit(const ProviderDemand &demand) {
    if (!demand.limits.any()) co_return Admission{};
    std::vector<ScopeDemand> demands{
        scope_demand("provider:" + std::string(demand.provider), demand.limits, demand.tokens, std::nullopt)};
    auto s = store();
    std::string lease = next_lease();
    Decision decision = co_await s->admit(demands, lease);
    co_return Admission(std::move(s), std::move(demands), std::move(decision), std::move(lease));
}

} // namespace helix::limits
