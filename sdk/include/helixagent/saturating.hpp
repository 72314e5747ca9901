// Token counts come from upstreams the host does not control: adding them
// must never overflow (undefined behaviour) or go negative.
#pragma once

#include <cstdint>

namespace helix::sdk {

// a + b, clamped to [0, INT64_MAX] instead of overflowing.
inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : 0;
    return sum < 0 ? 0 : sum;
}

// A count as reported: negative values become 0.
inline std::int64_t non_negative(std::int64_t count) noexcept { return count < 0 ? 0 : count; }

} // namespace helix::sdk
