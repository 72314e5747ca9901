#define BOOST_TEST_MODULE cloudsim_stream_threads
#include <boost/test/unit_test.hpp>

// The threads of the simulator's HTTP/2 streams: one per stream up to the
// maximum (the stream beyond it is refused), and a stop waits for them all.

#include "tools/cloudsim/stream_threads.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using helix::cloudsim::StreamThreads;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(works_run_at_once_each_on_its_own_thread_up_to_the_maximum) {
    StreamThreads threads(3, 128 * 1024);
    std::promise<void> release;
    const std::shared_future<void> released = release.get_future().share();
    std::atomic<int> started{0};
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(threads.start([&, released] {
            ++started;
            released.wait();
        }));
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (started.load() < 3 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
    BOOST_TEST(started.load() == 3); // all three at once, none waiting for another
    BOOST_TEST(!threads.start([] {})); // the fourth is refused
    BOOST_TEST(threads.running() == 3u);
    release.set_value();
    threads.join_all();
    BOOST_TEST(threads.running() == 0u);
    std::atomic<bool> ran{false};
    BOOST_TEST(threads.start([&] { ran = true; })); // room again
    threads.join_all();
    BOOST_TEST(ran.load());
}

BOOST_AUTO_TEST_CASE(join_all_waits_for_every_work_and_a_throwing_one_does_not_take_the_process_down) {
    std::atomic<int> finished{0};
    {
        StreamThreads threads(8, 128 * 1024);
        for (int i = 0; i < 8; ++i)
            BOOST_TEST(threads.start([&, i] {
                std::this_thread::sleep_for(50ms);
                ++finished;
                if (i == 0) throw std::runtime_error("a handler's bug");
            }));
    } // the destructor joins
    BOOST_TEST(finished.load() == 8);
}
