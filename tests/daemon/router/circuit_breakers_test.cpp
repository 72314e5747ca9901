#define BOOST_TEST_MODULE circuit_breakers
#include <boost/test/unit_test.hpp>

#include "daemon/router/circuit_breakers.hpp"

#include <atomic>
#include <thread>
#include <vector>

using helix::router::CircuitBreakers;
using State = CircuitBreakers::State;
using namespace std::chrono_literals;

namespace {
const CircuitBreakers::Settings settings{3, 10s};
const auto t0 = CircuitBreakers::Clock::time_point{} + 1000s;
} // namespace

BOOST_AUTO_TEST_CASE(opens_after_consecutive_failures_only) {
    CircuitBreakers b;
    b.failed("p/m", settings, t0);
    b.failed("p/m", settings, t0);
    b.succeeded("p/m", settings); // a success in between resets the count
    b.failed("p/m", settings, t0);
    b.failed("p/m", settings, t0);
    BOOST_TEST(b.allow("p/m", settings, t0));
    b.failed("p/m", settings, t0);
    BOOST_TEST((b.state("p/m") == State::open));
    BOOST_TEST(!b.allow("p/m", settings, t0 + 9s));
    BOOST_TEST(b.allow("other/m", settings, t0)); // pairs are independent
}

BOOST_AUTO_TEST_CASE(after_the_cooldown_one_probe_goes_through) {
    CircuitBreakers b;
    for (int i = 0; i < 3; ++i) b.failed("p/m", settings, t0);
    BOOST_TEST(b.allow("p/m", settings, t0 + 10s)); // the probe
    BOOST_TEST((b.state("p/m") == State::half_open));
    BOOST_TEST(!b.allow("p/m", settings, t0 + 10s)); // only one at a time
    b.failed("p/m", settings, t0 + 11s);             // the probe failed: open again
    BOOST_TEST((b.state("p/m") == State::open));
    BOOST_TEST(!b.allow("p/m", settings, t0 + 20s));
    BOOST_TEST(b.allow("p/m", settings, t0 + 21s));
    b.succeeded("p/m", settings);
    BOOST_TEST((b.state("p/m") == State::closed));
    BOOST_TEST(b.allow("p/m", settings, t0 + 21s));
}

BOOST_AUTO_TEST_CASE(a_probe_without_a_verdict_lets_the_next_one_through) {
    CircuitBreakers b;
    for (int i = 0; i < 3; ++i) b.failed("p/m", settings, t0);
    BOOST_TEST(b.allow("p/m", settings, t0 + 10s));
    b.released("p/m");
    BOOST_TEST(b.allow("p/m", settings, t0 + 10s));
}

BOOST_AUTO_TEST_CASE(many_threads_agree_on_a_single_probe) {
    CircuitBreakers b;
    for (int i = 0; i < 3; ++i) b.failed("p/m", settings, t0);
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 100; ++i)
                if (b.allow("p/m", settings, t0 + 10s)) ++allowed;
        });
    for (auto &t : threads) t.join();
    BOOST_TEST(allowed.load() == 1);
}

BOOST_AUTO_TEST_CASE(opens_on_a_failure_rate_without_consecutive_failures) {
    CircuitBreakers b;
    const CircuitBreakers::Settings rate{100, 10s, 0.5, 20};
    // Alternating success and failure: never two failures in a row, 50% failing.
    // The rate counts once half the window (10 calls) has been seen.
    int calls = 0;
    while (b.state("p/m") == State::closed && calls < 40) {
        b.succeeded("p/m", rate);
        b.failed("p/m", rate, t0);
        calls += 2;
    }
    BOOST_TEST((b.state("p/m") == State::open));
    BOOST_TEST(calls == 10);

    CircuitBreakers healthy;
    for (int i = 0; i < 40; ++i) {
        healthy.succeeded("p/m", rate);
        healthy.succeeded("p/m", rate);
        healthy.failed("p/m", rate, t0); // a third failing stays under 50%
    }
    BOOST_TEST((healthy.state("p/m") == State::closed));
}
