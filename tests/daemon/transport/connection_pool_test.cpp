#define BOOST_TEST_MODULE connection_pool
#include <boost/test/unit_test.hpp>

#include "daemon/transport/connection_pool.hpp"

#include "daemon/transport/endpoint.hpp"

#include <boost/asio/io_context.hpp>

#include <thread>

using helix::transport::ConnectionPool;
using helix::transport::UpstreamConnection;
using helix::transport::parse_endpoint;
using namespace std::chrono_literals;

namespace {

boost::asio::io_context loop;

// A connection that never connects: the pool only keeps and hands it out.
std::unique_ptr<UpstreamConnection> session() { return std::make_unique<UpstreamConnection>(loop.get_executor()); }

} // namespace

BOOST_AUTO_TEST_CASE(an_idle_connection_is_reused_within_its_ttl) {
    ConnectionPool pool(8, 1h);
    const auto a = parse_endpoint("http://127.0.0.1:9/v1");
    BOOST_TEST_REQUIRE(a.has_value());
    pool.release(a->key(), session());
    BOOST_TEST(pool.idle_count() == 1u);
    BOOST_TEST(pool.acquire(a->key()).reused);
    BOOST_TEST(pool.idle_count() == 0u);
}

BOOST_AUTO_TEST_CASE(idle_connections_past_their_ttl_are_closed_even_when_their_upstream_is_not_called_again) {
    ConnectionPool pool(8, 1ms);
    const auto a = parse_endpoint("http://127.0.0.1:9/v1");
    const auto b = parse_endpoint("http://127.0.0.1:10/v1");
    BOOST_TEST_REQUIRE((a.has_value() && b.has_value()));
    pool.release(a->key(), session());
    pool.release(a->key(), session());
    std::this_thread::sleep_for(20ms);
    BOOST_TEST(!pool.acquire(b->key()).reused);
    BOOST_TEST(pool.idle_count() == 0u);
}

BOOST_AUTO_TEST_CASE(at_most_max_idle_connections_are_kept_per_upstream) {
    ConnectionPool pool(2, 1h);
    const auto a = parse_endpoint("http://127.0.0.1:9/v1");
    BOOST_TEST_REQUIRE(a.has_value());
    for (int i = 0; i < 5; ++i) pool.release(a->key(), session());
    BOOST_TEST(pool.idle_count() == 2u);
}
