#pragma once
// The UTC day and calendar month a point in time falls in, and when each
// ends: the periods of daily_usd and monthly_usd.

#include "daemon/limits/demand.hpp"

namespace helix::limits {

std::int64_t day_of(Micros now);          // days since 1970-01-01
std::int64_t month_of(Micros now);        // year * 12 + month - 1
Micros day_end(Micros now);               // the next 00:00 UTC
Micros month_end(Micros now);             // the first of the next month, 00:00 UTC

} // namespace helix::limits
