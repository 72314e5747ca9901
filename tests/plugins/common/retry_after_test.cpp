#define BOOST_TEST_MODULE plugins_common_retry_after
#include <boost/test/unit_test.hpp>

#include "plugins/common/retry_after.hpp"

using namespace helix::plugin_common;

namespace {
// 1994-11-06T08:49:37Z, the RFC's example date.
constexpr std::int64_t kRfcExampleMs = 784111777000;
} // namespace

BOOST_AUTO_TEST_CASE(delay_seconds) {
    BOOST_TEST(parse_retry_after("120", 0).value() == 120000u);
    BOOST_TEST(parse_retry_after(" 0 ", 0).value() == 0u);
    BOOST_TEST(parse_retry_after("1.5", 0).value() == 1500u); // tolerated, as openai-node does
    BOOST_TEST(!parse_retry_after("", 0));
    BOOST_TEST(!parse_retry_after("-1", 0));
    BOOST_TEST(!parse_retry_after("soon", 0));
    BOOST_TEST(!parse_retry_after("12s", 0));
}

BOOST_AUTO_TEST_CASE(huge_values_are_clamped) {
    BOOST_TEST(parse_retry_after("99999999999999999999999", 0).value() == kMaxRetryAfterMs);
    BOOST_TEST(parse_retry_after_ms_header("1e400").has_value() == false);
    BOOST_TEST(parse_retry_after_ms_header("999999999999").value() == kMaxRetryAfterMs);
}

BOOST_AUTO_TEST_CASE(retry_after_ms_header) {
    BOOST_TEST(parse_retry_after_ms_header("250").value() == 250u);
    BOOST_TEST(parse_retry_after_ms_header("0.2").value() == 1u); // rounded up
    BOOST_TEST(!parse_retry_after_ms_header("abc"));
    BOOST_TEST(!parse_retry_after_ms_header(""));
}

BOOST_AUTO_TEST_CASE(http_dates_in_all_three_forms) {
    BOOST_TEST(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").value() == kRfcExampleMs);
    BOOST_TEST(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").value() == kRfcExampleMs);
    BOOST_TEST(parse_http_date("Sun Nov  6 08:49:37 1994").value() == kRfcExampleMs);
    BOOST_TEST(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT").value() == 0);
    BOOST_TEST(parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT").value() == 951825600000);
}

BOOST_AUTO_TEST_CASE(malformed_dates_are_rejected) {
    BOOST_TEST(!parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
    BOOST_TEST(!parse_http_date("Sun, 31 Nov 1994 08:49:37 GMT"));
    BOOST_TEST(!parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
    BOOST_TEST(!parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
    BOOST_TEST(!parse_http_date("Mon, 29 Feb 2100 00:00:00 GMT"));
    BOOST_TEST(!parse_http_date("Sun, 6 Nov 1994 08:49:37 GMT"));
    BOOST_TEST(!parse_http_date("1994-11-06T08:49:37Z"));
    BOOST_TEST(!parse_http_date(""));
}

BOOST_AUTO_TEST_CASE(http_date_retry_after_is_relative_to_now) {
    BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExampleMs - 30000).value() == 30000u);
    BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExampleMs + 5000).value() == 0u); // past
}

BOOST_AUTO_TEST_CASE(ms_header_wins_over_retry_after) {
    BOOST_TEST(retry_after_from_headers("1500", "7", 0) == 1500u);
    BOOST_TEST(retry_after_from_headers("", "7", 0) == 7000u);
    BOOST_TEST(retry_after_from_headers("bogus", "7", 0) == 7000u);
    BOOST_TEST(retry_after_from_headers("", "", 0) == 0u);
    BOOST_TEST(retry_after_from_headers("", "Sun, 06 Nov 1994 08:49:38 GMT", kRfcExampleMs) == 1000u);
}
