#pragma once
// The generic cell rate algorithm: a rate of `limit` units per `window` is
// one "theoretical arrival time" (TAT) per counter. Taking q units moves it
// q * window / limit later; a request fits while the TAT stays within one
// window of now. So a full window's worth may come at once, and then units
// come back continuously. The shared store runs the same arithmetic in its
// Lua script (redis_scripts.cpp).

#include "daemon/limits/demand.hpp"

namespace helix::limits {

struct GcraResult {
    bool allowed = false;
    Micros tat = 0;            // the new TAT (unchanged when refused)
    RateState state;           // after this request (allowed) or as it stands (refused)
    Micros retry_after = 0;    // refused: when the request would fit
};

GcraResult gcra(Micros tat, Micros now, const Rate &rate, std::int64_t quantity);

// The TAT after a settlement of `delta` units (negative: given back).
Micros gcra_adjust(Micros tat, Micros now, const Rate &rate, std::int64_t delta);

} // namespace helix::limits
