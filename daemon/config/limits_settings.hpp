#pragma once
// The limits of a client key (api_keys[].limits, and per model or alias
// under its `models:`) and of a provider's own account (plugins.<name>.limits).
// 0 means "no limit" everywhere.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace helix::config {

struct Limits {
    std::uint64_t rpm = 0;                   // requests per `window`
    std::uint64_t tpm = 0;                   // input + output tokens per `window`
    std::chrono::milliseconds window{60'000}; // what rpm and tpm count over (1m; shorter for tests)
    std::uint64_t max_concurrent = 0;        // requests at once
    double daily_usd = 0;                    // spend per UTC day
    double monthly_usd = 0;                  // spend per UTC calendar month
    // With shared_state configured and the store unreachable: false lets the
    // request through on the local limits, true refuses it (a hard cap).
    bool deny_on_store_failure = false;
    std::string source; // "file:line" of the limits entry

    bool any() const noexcept {
        return rpm > 0 || tpm > 0 || max_concurrent > 0 || daily_usd > 0 || monthly_usd > 0;
    }
};

struct KeyLimits {
    Limits key;                            // the key as a whole
    std::map<std::string, Limits> models;  // per model or alias, as the client names it

    bool any() const noexcept { return key.any() || !models.empty(); }
};

} // namespace helix::config
