#include "daemon/limits/gcra.hpp"

#include <algorithm>

namespace helix::limits {

namespace {

// Time per unit; integer division keeps limit * interval within the window.
Micros interval_of(const Rate &rate) { return std::max<Micros>(1, rate.window / rate.limit); }

} // namespace

GcraResult gcra(Micros tat, Micros now, const Rate &rate, std::int64_t quantity) {
    GcraResult r;
    const Micros t = interval_of(rate);
    const Micros base = std::max(tat, now);
    const Micros wanted = base + quantity * t;
    r.state.limit = rate.limit;
    if (wanted - now <= rate.window) {
        r.allowed = true;
        r.tat = wanted;
        r.state.remaining = (rate.window - (wanted - now)) / t;
        r.state.reset = wanted - now;
    } else {
        r.tat = tat;
        r.state.remaining = std::max<Micros>(0, (rate.window - (base - now)) / t);
        r.state.reset = base - now;
        r.retry_after = wanted - rate.window - now;
    }
    return r;
}

Micros gcra_adjust(Micros tat, Micros now, const Rate &rate, std::int64_t delta) {
    const Micros moved = tat + delta * interval_of(rate);
    // Units given back never make a TAT already in the past any earlier.
    return delta < 0 ? std::max(moved, std::min(tat, now)) : moved;
}

} // namespace helix::limits
