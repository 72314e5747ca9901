#define BOOST_TEST_MODULE auth_failures
#include <boost/test/unit_test.hpp>

#include "daemon/http/auth_failures.hpp"

#include <Poco/Net/IPAddress.h>

using helix::http::AuthFailures;
using namespace std::chrono_literals;

namespace {

const AuthFailures::Policy policy{3, 10s};
const AuthFailures::Clock::time_point t0{};

} // namespace

BOOST_AUTO_TEST_CASE(an_address_is_refused_after_limit_failures_until_the_block_has_passed) {
    AuthFailures table;
    for (int i = 0; i < 2; ++i) table.failed("10.0.0.1", policy, t0 + std::chrono::seconds(i));
    BOOST_TEST(table.refused_for("10.0.0.1", policy, t0 + 2s).count() == 0);
    table.failed("10.0.0.1", policy, t0 + 2s);
    BOOST_TEST(table.refused_for("10.0.0.1", policy, t0 + 3s).count() == 9000);
    BOOST_TEST(table.refused_for("10.0.0.2", policy, t0 + 3s).count() == 0); // others are not affected
    BOOST_TEST(table.refused_for("10.0.0.1", policy, t0 + 12s).count() == 0);
    BOOST_TEST(table.size() == 0); // forgiven and forgotten
}

BOOST_AUTO_TEST_CASE(failures_further_apart_than_the_block_start_over) {
    AuthFailures table;
    table.failed("10.0.0.1", policy, t0);
    table.failed("10.0.0.1", policy, t0 + 5s);
    table.failed("10.0.0.1", policy, t0 + 16s); // 11 s after the last: counts as the first again
    BOOST_TEST(table.refused_for("10.0.0.1", policy, t0 + 17s).count() == 0);
    table.failed("10.0.0.1", policy, t0 + 18s);
    table.failed("10.0.0.1", policy, t0 + 19s);
    BOOST_TEST(table.refused_for("10.0.0.1", policy, t0 + 20s).count() > 0);
}

BOOST_AUTO_TEST_CASE(a_zero_limit_never_refuses_nor_remembers) {
    AuthFailures table;
    const AuthFailures::Policy off{0, 10s};
    for (int i = 0; i < 100; ++i) table.failed("10.0.0.1", off, t0);
    BOOST_TEST(table.refused_for("10.0.0.1", off, t0).count() == 0);
    BOOST_TEST(table.size() == 0);
}

BOOST_AUTO_TEST_CASE(the_table_stays_bounded_and_evicts_the_oldest) {
    AuthFailures table(4);
    for (int i = 0; i < 3; ++i) table.failed("10.0.0.9", policy, t0 + 1s);
    for (int i = 0; i < 100; ++i) table.failed("10.1.0." + std::to_string(i), policy, t0 + 2s + std::chrono::milliseconds(i));
    BOOST_TEST(table.size() == 4);
    BOOST_TEST(table.refused_for("10.0.0.9", policy, t0 + 3s).count() == 0); // the oldest went first
}

BOOST_AUTO_TEST_CASE(ipv6_addresses_count_per_slash_64) {
    using Poco::Net::IPAddress;
    BOOST_TEST(AuthFailures::source_of(IPAddress("2001:db8:1:2:aaaa::1")) ==
               AuthFailures::source_of(IPAddress("2001:db8:1:2:bbbb::7")));
    BOOST_TEST(AuthFailures::source_of(IPAddress("2001:db8:1:2::1")) != AuthFailures::source_of(IPAddress("2001:db8:1:3::1")));
    BOOST_TEST(AuthFailures::source_of(IPAddress("192.0.2.7")) == "192.0.2.7");
}
