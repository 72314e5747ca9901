#define BOOST_TEST_MODULE config_duration
#include <boost/test/unit_test.hpp>

#include "daemon/config/duration.hpp"

#include <string>

using helix::config::parse_duration;
using std::chrono::milliseconds;

namespace {

// -1 stands for "rejected", so a failure prints both values.
long long millis(std::string_view text) {
    const auto parsed = parse_duration(text);
    return parsed ? static_cast<long long>(parsed->count()) : -1;
}

} // namespace

BOOST_AUTO_TEST_CASE(single_units) {
    BOOST_TEST(millis("500ms") == 500);
    BOOST_TEST(millis("60s") == 60'000);
    BOOST_TEST(millis("2m") == 120'000);
    BOOST_TEST(millis("1h") == 3'600'000);
    BOOST_TEST(millis("0s") == 0);
    BOOST_TEST(millis("0ms") == 0);
}

BOOST_AUTO_TEST_CASE(bare_integer_is_seconds) {
    BOOST_TEST(millis("45") == 45'000);
    BOOST_TEST(millis("0") == 0);
    BOOST_TEST(millis("007") == 7'000);
}

BOOST_AUTO_TEST_CASE(compound_values) {
    BOOST_TEST(millis("1m30s") == 90'000);
    BOOST_TEST(millis("1h30m") == 5'400'000);
    BOOST_TEST(millis("1h0m1s") == 3'601'000);
    BOOST_TEST(millis("1m30s500ms") == 90'500);
    BOOST_TEST(millis("2s250ms") == 2'250);
}

BOOST_AUTO_TEST_CASE(rejects_malformed) {
    for (const char *bad : {"", " ", "s", "ms", "-1", "-5s", "+5s", "1.5s", ".5s", "5d", "5x", "5S", "5 s", " 5s",
                            "5s ", "1m30", "30s1m", "1s1s", "1ms1ms", "1m1h", "1s 2ms", "1h-1m", "5us", "5ns"}) {
        BOOST_TEST_CONTEXT("input '" << bad << "'") { BOOST_TEST(millis(bad) == -1); }
    }
}

BOOST_AUTO_TEST_CASE(rejects_overflow) {
    BOOST_TEST(millis("9223372036854775807ms") == 9'223'372'036'854'775'807LL); // the largest that fits
    BOOST_TEST(millis("9223372036854775808ms") == -1);
    BOOST_TEST(millis("9223372036854775807s") == -1); // the number fits, the product does not
    BOOST_TEST(millis("99999999999999999999") == -1);
    BOOST_TEST(millis("2562047788015h") == 2'562'047'788'015LL * 3'600'000); // the most hours that fit
    BOOST_TEST(millis("2562047788016h") == -1);
    BOOST_TEST(millis("2562047788015h59m") == -1); // each part fits, the sum does not
    // 153722867280912m is INT64_MAX - 55807 ms.
    BOOST_TEST(millis("153722867280912m55807ms") == 9'223'372'036'854'775'807LL);
    BOOST_TEST(millis("153722867280912m55808ms") == -1);
}
