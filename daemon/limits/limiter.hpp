#pragma once
// The limits of client keys (per key, and per model or alias they ask for)
// and of providers, over one CounterStore that lives as long as the process,
// so a reload keeps every counter (counters are named by key name and
// provider name; the limits themselves come from the current configuration
// with each request).
//
// An admission reserves: one request, the tokens it may use (the prompt's
// estimate plus its max_tokens) and its estimated cost, and a concurrency
// slot. Its end settles: the real usage replaces the reservation and the
// slot is freed (by the destructor if nobody settled).

#include "daemon/api/error_body.hpp"
#include "daemon/config/limits_settings.hpp"
#include "daemon/limits/counter_store.hpp"
#include "daemon/limits/rate_headers.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::limits {

// A request as the limits of its key see it.
struct ClientDemand {
    std::string_view key; // the key's name
    const config::KeyLimits &limits;
    std::string_view model;     // as the client asked for it (a model or an alias)
    std::int64_t tokens = 0;    // prompt estimate + max output tokens
    std::optional<double> cost; // USD at the first candidate's price; none: unknown
};

// An upstream call as its provider's limits see it.
struct ProviderDemand {
    std::string_view provider;
    const config::Limits &limits;
    std::int64_t tokens = 0;
};

class Admission {
public:
    Admission() = default; // nothing limited: allowed, no headers
    Admission(std::shared_ptr<CounterStore> store, std::vector<ScopeDemand> demands, Decision decision,
              std::string lease);
    Admission(Admission &&other) noexcept;
    Admission &operator=(Admission &&other) noexcept;
    Admission(const Admission &) = delete;
    Admission &operator=(const Admission &) = delete;
    ~Admission();

    bool limited() const noexcept { return !demands_.empty(); }
    bool allowed() const noexcept { return decision_.refusal == Refusal::none; }
    Refusal refusal() const noexcept { return decision_.refusal; }
    const Decision &decision() const noexcept { return decision_; }
    std::vector<Header> headers() const { return rate_headers(demands_, decision_); }
    api::ApiError error(std::string_view who) const { return refusal_error(demands_, decision_, who); }
    // Budget left in USD for each of the scopes' daily and monthly budgets
    // (the key's first), for the remaining-budget gauge.
    std::optional<double> budget_left(bool monthly) const;

    // The real usage (tokens in + out; cost in USD, none: unknown, the
    // reservation stands). Once; later calls do nothing.
    void settle(std::int64_t tokens, std::optional<double> cost);

private:
    std::shared_ptr<CounterStore> store_;
    std::vector<ScopeDemand> demands_;
    Decision decision_;
    std::string lease_;
    bool settled_ = false;
};

class Limiter {
public:
    Limiter();
    // The store every later admission uses (set at start, before serving).
    void use_store(std::shared_ptr<CounterStore> store);
    // The store's state: nullopt without shared_state, else whether it answers.
    std::optional<bool> shared_up() const { return store()->shared_up(); }

    boost::asio::awaitable<Admission> admit(const ClientDemand &demand);
    boost::asio::awaitable<Admission> admit(const ProviderDemand &demand);

private:
    std::shared_ptr<CounterStore> store() const;
    std::string next_lease();

    mutable std::mutex mutex_;
    std::shared_ptr<CounterStore> store_;
    std::string lease_prefix_;
    std::atomic<std::uint64_t> leases_{0};
};

// A scope's demand from its configured limits (micro-USD budgets).
ScopeDemand scope_demand(std::string scope, const config::Limits &limits, std::int64_t tokens,
                         std::optional<double> cost);

} // namespace helix::limits
