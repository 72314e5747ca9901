#pragma once
// The Lua scripts of the shared store. Each runs atomically in Redis, on
// Redis's clock (TIME), so every replica decides by one clock and one set of
// counters. Per scope S (a key prefix):
//   S:r, S:t     the TATs of its request and token rates (gcra.hpp's arithmetic)
//   S:c          its concurrency leases: a sorted set of lease -> expiry
//   S:d:<day>    micro-USD spent on a UTC day;  S:m:<month>  in a month
// (day and month numbered as calendar.hpp numbers them).

#include "daemon/redis/redis_client.hpp"

namespace helix::limits {

// KEYS: the scopes. ARGV: lease, lease lifetime (us), then per scope:
// rpm limit, rpm window, tpm limit, tpm window, tokens wanted,
// max concurrent, daily budget, monthly budget, cost wanted.
// Checks every scope, then takes from all of them or from none. Returns
// {refusal, refused scope (0-based), retry after (us), then per scope:
// requests limit, remaining, reset, tokens limit, remaining, reset,
// spent today, spent this month}.
const redis::Script &admit_script();
inline constexpr std::size_t admit_args_per_scope = 9;
inline constexpr std::size_t admit_results_per_scope = 8;

// KEYS: the scopes. ARGV: lease, then per scope: tpm limit, tpm window,
// token delta, holds a lease (0/1), counts spend (0/1), cost delta.
// Also adds spend recorded while Redis was unreachable (delta only).
const redis::Script &settle_script();
inline constexpr std::size_t settle_args_per_scope = 6;

} // namespace helix::limits
