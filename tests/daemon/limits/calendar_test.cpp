#define BOOST_TEST_MODULE limits_calendar
#include <boost/test/unit_test.hpp>

#include "daemon/limits/calendar.hpp"

using namespace helix::limits;

namespace {
constexpr Micros kSecond = 1'000'000;
}

BOOST_AUTO_TEST_CASE(days_and_months_in_utc) {
    const Micros t = 1'709'164'800 * kSecond + 3 * kSecond; // 2024-02-29 00:00:03 UTC (a leap day)
    BOOST_TEST(day_of(t) == 19'782);
    BOOST_TEST(month_of(t) == 2024 * 12 + 1);
    BOOST_TEST(day_end(t) == 1'709'251'200 * kSecond);   // 2024-03-01
    BOOST_TEST(month_end(t) == 1'709'251'200 * kSecond); // also 2024-03-01
    const Micros december = 1'735'603'200 * kSecond;     // 2024-12-31 00:00 UTC
    BOOST_TEST(month_of(december) == 2024 * 12 + 11);
    BOOST_TEST(month_end(december) == 1'735'689'600 * kSecond); // 2025-01-01
}
