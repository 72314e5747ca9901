#define BOOST_TEST_MODULE memory_trim
#include <boost/test/unit_test.hpp>

// When a loop gives its free memory back: once most of a burst of
// connections is gone, never for a trickle.

#include "daemon/http/memory_trim.hpp"

using helix::http::TrimPolicy;

namespace {

// Opens `n` connections one after another (the count rising to n).
void open(TrimPolicy &policy, std::size_t n) {
    for (std::size_t i = 1; i <= n; ++i) policy.opened(i);
}

} // namespace

// At a quarter of the peak, then a quarter of that: a few trims, not one per close.
BOOST_AUTO_TEST_CASE(a_burst_that_ends_trims_a_few_times) {
    TrimPolicy policy;
    open(policy, 10'000);
    std::size_t trims = 0;
    for (std::size_t open = 10'000; open-- > 0;) trims += policy.closed(open) ? 1u : 0u;
    BOOST_TEST(trims >= 1u);
    BOOST_TEST(trims <= 3u);
}

BOOST_AUTO_TEST_CASE(it_trims_when_a_quarter_of_the_peak_is_left) {
    TrimPolicy policy;
    open(policy, 4000);
    BOOST_TEST(!policy.closed(1001));
    BOOST_TEST(policy.closed(1000));
    BOOST_TEST(!policy.closed(999)); // the peak started again from 1000
}

BOOST_AUTO_TEST_CASE(a_trickle_of_connections_never_trims) {
    TrimPolicy policy;
    for (int round = 0; round < 1000; ++round) {
        open(policy, 100);
        for (std::size_t open = 100; open-- > 0;) BOOST_TEST(!policy.closed(open));
    }
}
