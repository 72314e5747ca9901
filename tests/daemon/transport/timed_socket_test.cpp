#define BOOST_TEST_MODULE timed_socket
#include <boost/test/unit_test.hpp>

// Bounded reads and waits on a socket: a wait for bytes ends when they come
// (and leaves them to be read) or with beast's timeout when none came; a
// timed-out wait or read leaves the socket usable.

#include "daemon/transport/timed_socket.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include <array>
#include <chrono>
#include <string>

namespace asio = boost::asio;
using helix::transport::TimedSocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct Pair {
    asio::io_context io;
    tcp::socket client{io};
    tcp::socket server{io};
    Pair() {
        tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        client.connect(acceptor.local_endpoint());
        acceptor.accept(server);
    }
};

template <class F> auto run(asio::io_context &io, F f) {
    auto future = asio::co_spawn(io, f(), asio::use_future);
    io.run();
    io.restart();
    return future.get();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_wait_for_bytes_times_out_and_the_socket_still_reads) {
    Pair p;
    TimedSocket timed(p.client);
    const auto started = std::chrono::steady_clock::now();
    const auto waited = run(p.io, [&]() { return timed.wait_readable(std::chrono::steady_clock::now() + 200ms); });
    BOOST_TEST((waited == boost::beast::error::timeout), waited.message());
    BOOST_TEST((std::chrono::steady_clock::now() - started) >= 150ms);
    asio::write(p.server, asio::buffer(std::string("late")));
    std::array<char, 16> into{};
    const auto [ec, n] =
        run(p.io, [&]() { return timed.read(asio::buffer(into), std::chrono::steady_clock::now() + 5s); });
    BOOST_TEST(!ec);
    BOOST_TEST(std::string(into.data(), n) == "late");
}

BOOST_AUTO_TEST_CASE(a_wait_ends_when_bytes_come_and_leaves_them_to_be_read) {
    Pair p;
    TimedSocket timed(p.client);
    asio::steady_timer later(p.io, 100ms);
    later.async_wait([&](const boost::system::error_code &) { asio::write(p.server, asio::buffer(std::string("token"))); });
    const auto started = std::chrono::steady_clock::now();
    const auto waited = run(p.io, [&]() { return timed.wait_readable(std::chrono::steady_clock::now() + 10s); });
    BOOST_TEST(!waited);
    BOOST_TEST((std::chrono::steady_clock::now() - started) < 5s);
    BOOST_TEST(p.client.available() == 5u); // nothing was taken by the wait
    // A wait when bytes are there already returns at once.
    const auto again = run(p.io, [&]() { return timed.wait_readable(std::chrono::steady_clock::now() + 10s); });
    BOOST_TEST(!again);
}

BOOST_AUTO_TEST_CASE(a_read_that_times_out_says_so) {
    Pair p;
    TimedSocket timed(p.client);
    std::array<char, 16> into{};
    const auto [ec, n] =
        run(p.io, [&]() { return timed.read(asio::buffer(into), std::chrono::steady_clock::now() + 100ms); });
    BOOST_TEST((ec == boost::beast::error::timeout), ec.message());
    BOOST_TEST(n == 0u);
}
