#include "daemon/limits/calendar.hpp"

namespace helix::limits {

namespace {

constexpr Micros kDay = 86'400'000'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
struct Civil {
    std::int64_t year;
    unsigned month; // 1..12
};

Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = floor_div(z, 146097);
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m) { // the first of the month
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = floor_div(y, 400);
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

} // namespace

std::int64_t day_of(Micros now) { return floor_div(now, kDay); }

std::int64_t month_of(Micros now) {
    const Civil c = civil_from_days(day_of(now));
    return c.year * 12 + c.month - 1;
}

Micros day_end(Micros now) { return (day_of(now) + 1) * kDay; }

Micros month_end(Micros now) {
    const Civil c = civil_from_days(day_of(now));
    const std::int64_t year = c.month == 12 ? c.year + 1 : c.year;
    const unsigned month = c.month == 12 ? 1 : c.month + 1;
    return days_from_civil(year, month) * kDay;
}

} // namespace helix::limits
