#define BOOST_TEST_MODULE cloudsim_h2_stream
#include <boost/test/unit_test.hpp>

// One simulator HTTP/2 stream between its handler thread and its connection
// thread: a slow stream's handler sleeps through its waits (20,000 of them
// each waking 4 times a second, or at every byte the connection takes, are
// what starved a 2-core machine), and still wakes at once when the stream
// ends.

#include "tools/cloudsim/h2_stream.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <thread>

using helix::cloudsim::H2Stream;
using helix::cloudsim::H2Waker;
using namespace std::chrono_literals;

namespace {

// Times this thread gave up the CPU of its own accord (a sleep, a wake-up and sleep again).
long voluntary_switches() {
    rusage usage{};
    ::getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_nvcsw;
}

std::shared_ptr<H2Stream> stream_with_a_token() {
    auto stream = std::make_shared<H2Stream>(1, std::make_shared<H2Waker>());
    stream->send_head(200, {});
    BOOST_TEST_REQUIRE(stream->write("data: x\n\n", 9));
    return stream;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_wait_sleeps_through_while_the_connection_takes_the_bytes_written) {
    const auto stream = stream_with_a_token();
    auto handler = std::async(std::launch::async, [&] {
        const long before = voluntary_switches();
        const auto start = std::chrono::steady_clock::now();
        const bool waited = stream->wait(900ms); // the next token's delay
        return std::tuple(waited, voluntary_switches() - before, std::chrono::steady_clock::now() - start);
    });
    std::this_thread::sleep_for(100ms);
    std::uint8_t buf[64];
    std::size_t taken = 0;
    for (int i = 0; i < 2; ++i) stream->read_body(buf, sizeof buf, taken); // the bytes, then "none yet"
    const auto [waited, switches, took] = handler.get();
    BOOST_TEST(waited);
    BOOST_TEST(took >= 900ms);
    // One sleep; a wait cut in 250 ms slices, or woken by each read, gives 4 or more.
    BOOST_TEST(switches <= 2, switches << " voluntary context switches in one wait");
}

BOOST_AUTO_TEST_CASE(a_wait_ends_at_once_when_the_stream_closes) {
    const auto stream = stream_with_a_token();
    auto handler = std::async(std::launch::async, [&] {
        const auto start = std::chrono::steady_clock::now();
        const bool waited = stream->wait(30s);
        return std::pair(waited, std::chrono::steady_clock::now() - start);
    });
    std::this_thread::sleep_for(100ms);
    stream->closed();
    const auto [waited, took] = handler.get();
    BOOST_TEST(!waited);
    BOOST_TEST(took < 5s);
}

BOOST_AUTO_TEST_CASE(a_writer_blocked_on_a_full_stream_goes_on_once_the_connection_takes_bytes) {
    auto stream = std::make_shared<H2Stream>(1, std::make_shared<H2Waker>());
    stream->send_head(200, {});
    const std::string chunk(H2Stream::kMaxPending, 'x');
    BOOST_TEST_REQUIRE(stream->write(chunk.data(), chunk.size()));
    auto writer = std::async(std::launch::async, [&] {
        const auto start = std::chrono::steady_clock::now();
        const bool ok = stream->write("y", 1); // no room until a read
        return std::pair(ok, std::chrono::steady_clock::now() - start);
    });
    std::this_thread::sleep_for(100ms);
    std::uint8_t buf[1024];
    std::size_t taken = 0;
    stream->read_body(buf, sizeof buf, taken);
    const auto [ok, took] = writer.get();
    BOOST_TEST(ok);
    BOOST_TEST(taken == sizeof buf);
    BOOST_TEST(took < 5s);
}

BOOST_AUTO_TEST_CASE(a_stream_marked_but_never_taken_is_freed_with_its_waker) {
    // A connection that ends with streams still marked must not leave the
    // streams and their waker holding each other.
    std::weak_ptr<H2Stream> stream_left;
    std::weak_ptr<H2Waker> waker_left;
    {
        auto waker = std::make_shared<H2Waker>();
        auto stream = std::make_shared<H2Stream>(1, waker);
        stream->send_head(200, {}); // marks the stream
        stream_left = stream;
        waker_left = waker;
    }
    BOOST_TEST(stream_left.expired());
    BOOST_TEST(waker_left.expired());
}

BOOST_AUTO_TEST_CASE(the_waker_hands_over_the_marked_streams_still_alive) {
    auto waker = std::make_shared<H2Waker>();
    auto kept = std::make_shared<H2Stream>(1, waker);
    kept->send_head(200, {});
    std::make_shared<H2Stream>(3, waker)->send_head(200, {}); // gone at once
    const auto taken = waker->take();
    BOOST_TEST_REQUIRE(taken.size() == 1u);
    BOOST_TEST(taken.front() == kept);
}
