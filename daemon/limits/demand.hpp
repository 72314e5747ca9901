#pragma once
// What one admission asks of the counters, and what they answer: the same
// data whether the counters are this replica's (local_store.hpp) or shared by
// every replica (redis_store.hpp), so both decide by the same rules.

#include <cstdint>
#include <string>
#include <vector>

namespace helix::limits {

using Micros = std::int64_t; // microseconds (since the Unix epoch, for points in time)

// `limit` units per `window`, refilled continuously (GCRA, gcra.hpp); limit 0: none.
struct Rate {
    std::int64_t limit = 0;
    Micros window = 60'000'000;
    bool on() const noexcept { return limit > 0; }
};

// One scope's counters (a key, a key's model, a provider) and what this request takes of them.
struct ScopeDemand {
    std::string scope; // "key:web", "key:web|model:gpt-4o", "provider:openai"
    Rate requests;
    Rate tokens;
    std::int64_t tokens_wanted = 0;     // reserved at admission, settled with the real usage
    std::int64_t max_concurrent = 0;    // 0: none
    std::int64_t daily_budget = 0;      // micro-USD per UTC day; 0: none
    std::int64_t monthly_budget = 0;    // micro-USD per UTC month; 0: none
    std::int64_t cost_wanted = 0;       // micro-USD reserved at admission
    bool deny_on_store_failure = false; // shared store unreachable: refuse instead of local limits
};

enum class Refusal : std::uint8_t {
    none,
    requests,          // rpm
    tokens,            // tpm
    too_many_tokens,   // more tokens than tpm allows in a whole window
    concurrency,       // max_concurrent
    daily_budget,      // daily_usd spent
    monthly_budget,    // monthly_usd spent
    store_unavailable, // shared state unreachable and on_store_failure: deny
};

// The label and words of a refusal ("requests", "daily_budget", ...).
const char *refusal_name(Refusal refusal) noexcept;

struct RateState {
    std::int64_t limit = 0;
    std::int64_t remaining = 0;
    Micros reset = 0; // until the counter is full again
};

struct ScopeState {
    RateState requests;
    RateState tokens;
    std::int64_t spent_day = 0;   // micro-USD, reservations included
    std::int64_t spent_month = 0;
};

struct Decision {
    Refusal refusal = Refusal::none;
    std::size_t refused_scope = 0;  // index into the demands
    Micros retry_after = 0;
    std::vector<ScopeState> scopes; // one per demand, in order
    bool degraded = false;          // decided on local counters: the shared store was unreachable
};

// What a request gives back at its end: the difference between its real
// usage and what it reserved, and its concurrency lease.
struct ScopeSettlement {
    std::string scope;
    Rate tokens;                  // to turn a token difference into time
    std::int64_t token_delta = 0; // real - reserved
    std::int64_t cost_delta = 0;  // micro-USD, real - reserved
    bool concurrent = false;      // holds a concurrency lease
    bool budgets = false;         // counts spend
};

} // namespace helix::limits
