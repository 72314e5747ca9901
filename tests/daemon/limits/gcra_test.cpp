#define BOOST_TEST_MODULE limits_gcra
#include <boost/test/unit_test.hpp>

#include "daemon/limits/gcra.hpp"

using namespace helix::limits;

BOOST_AUTO_TEST_CASE(a_full_window_may_come_at_once_then_one_per_interval) {
    const Rate rate{30, 60'000'000}; // 30 per minute: one every 2 s
    Micros tat = 0;
    const Micros now = 1'000'000'000;
    for (int i = 0; i < 30; ++i) {
        const GcraResult r = gcra(tat, now, rate, 1);
        BOOST_TEST_REQUIRE(r.allowed, "request " << i);
        BOOST_TEST(r.state.remaining == 29 - i);
        tat = r.tat;
    }
    const GcraResult refused = gcra(tat, now, rate, 1);
    BOOST_TEST(!refused.allowed);
    BOOST_TEST(refused.state.remaining == 0);
    BOOST_TEST(refused.retry_after == 2'000'000);
    BOOST_TEST(refused.state.reset == 60'000'000);
    BOOST_TEST(!gcra(tat, now + 1'999'999, rate, 1).allowed);
    BOOST_TEST(gcra(tat, now + 2'000'000, rate, 1).allowed);
}

BOOST_AUTO_TEST_CASE(a_quantity_takes_its_share_and_settling_gives_it_back) {
    const Rate rate{1000, 60'000'000};
    const Micros now = 5'000'000;
    GcraResult r = gcra(0, now, rate, 800);
    BOOST_TEST(r.allowed);
    BOOST_TEST(r.state.remaining == 200);
    BOOST_TEST(!gcra(r.tat, now, rate, 300).allowed);
    // The answer used 100 tokens, not 800: 700 come back.
    const Micros settled = gcra_adjust(r.tat, now, rate, -700);
    const GcraResult again = gcra(settled, now, rate, 300);
    BOOST_TEST(again.allowed);
    BOOST_TEST(again.state.remaining == 600);
    // Giving back never moves a TAT in the past earlier still.
    BOOST_TEST(gcra_adjust(now - 10, now, rate, -500) == now - 10);
}
