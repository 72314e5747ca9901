#define BOOST_TEST_MODULE plugins_common_token_cache
#include <boost/test/unit_test.hpp>

#include "plugins/common/token_cache.hpp"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

using helix::plugin_common::BearerToken;
using helix::plugin_common::TokenCache;

BOOST_AUTO_TEST_CASE(fetches_once_refreshes_before_expiry_and_forgets_a_rejected_token) {
    TokenCache cache(std::chrono::minutes(5));
    int fetches = 0;
    const auto fetch = [&] { return BearerToken{"t" + std::to_string(++fetches), 3'600'000}; };
    BOOST_TEST(cache.get(0, fetch) == "t1");
    BOOST_TEST(cache.get(3'600'000 - 301'000, fetch) == "t1");
    BOOST_TEST(cache.get(3'600'000 - 299'000, fetch) == "t2"); // within five minutes of expiry
    cache.invalidate("t1");                                    // no longer the cached one: kept
    BOOST_TEST(cache.get(3'000'000, fetch) == "t2");
    cache.invalidate("t2");
    BOOST_TEST(cache.get(3'000'000, fetch) == "t3");
}

// While one caller refreshes a token that has not expired yet, the others use
// it instead of waiting for the side request.
BOOST_AUTO_TEST_CASE(a_refresh_in_flight_does_not_block_callers_with_a_valid_token) {
    TokenCache cache(std::chrono::minutes(5));
    BOOST_TEST(cache.get(0, [] { return BearerToken{"old", 600'000}; }) == "old");
    std::mutex m;
    std::condition_variable cv;
    bool entered = false, release = false;
    auto refresher = std::async(std::launch::async, [&] {
        return cache.get(400'000, [&] {
            std::unique_lock lock(m);
            entered = true;
            cv.notify_all();
            cv.wait(lock, [&] { return release; });
            return BearerToken{"new", 4'000'000};
        });
    });
    {
        std::unique_lock lock(m);
        BOOST_TEST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
    }
    // Due for refresh but unexpired: served at once, no second fetch.
    BOOST_TEST(cache.get(400'001, [] { return BearerToken{"second-fetch", 1}; }) == "old");
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    BOOST_TEST(refresher.get() == "new");
    BOOST_TEST(cache.get(400'002, [] { return BearerToken{"unused", 1}; }) == "new");
}

BOOST_AUTO_TEST_CASE(callers_without_a_valid_token_wait_for_the_fetch_and_a_failure_is_not_cached) {
    TokenCache cache;
    std::atomic<int> fetches{0};
    std::promise<void> go;
    auto gate = go.get_future().share();
    auto first = std::async(std::launch::async, [&] {
        return cache.get(0, [&] {
            ++fetches;
            gate.wait();
            return BearerToken{"shared", 3'600'000};
        });
    });
    while (fetches.load() == 0) std::this_thread::yield();
    auto second = std::async(std::launch::async, [&] {
        return cache.get(0, [&] {
            ++fetches;
            return BearerToken{"own", 3'600'000};
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    go.set_value();
    BOOST_TEST(first.get() == "shared");
    BOOST_TEST(second.get() == "shared"); // it waited for the one fetch
    BOOST_TEST(fetches.load() == 1);

    TokenCache failing;
    BOOST_CHECK_THROW(failing.get(0, []() -> BearerToken { throw std::runtime_error("down"); }), std::runtime_error);
    BOOST_TEST(failing.get(0, [] { return BearerToken{"up", 1'000'000}; }) == "up");
}

// Where the caller must not block (the host's event loop) a fetch, or a wait
// for another caller's, is refused at once and changes nothing.
BOOST_AUTO_TEST_CASE(a_caller_that_must_not_block_is_refused_instead_of_fetching) {
    TokenCache cache(std::chrono::minutes(5));
    int fetches = 0;
    const auto fetch = [&] { return BearerToken{"t" + std::to_string(++fetches), 3'600'000}; };
    try {
        cache.get(0, fetch, false);
        BOOST_FAIL("no refusal");
    } catch (const helix::sdk::Error &e) {
        BOOST_TEST(e.status() == HELIX_ERR_WOULD_BLOCK);
    }
    BOOST_TEST(fetches == 0);
    BOOST_TEST(cache.get(0, fetch) == "t1");
    BOOST_TEST(cache.get(1000, fetch, false) == "t1"); // cached: no refusal
    BOOST_TEST(fetches == 1);
}
