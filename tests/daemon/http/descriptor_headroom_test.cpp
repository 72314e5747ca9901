#define BOOST_TEST_MODULE descriptor_headroom
#include <boost/test/unit_test.hpp>

// When the acceptor must leave connections in the listen queue: each
// connection needs its socket and an upstream socket of its own, except
// while its call streams over a shared HTTP/2 upstream connection.

#include "daemon/http/descriptor_headroom.hpp"

#include <sys/resource.h>

using helix::http::DescriptorHeadroom;

namespace {

// Lowers this process's soft open-file limit for one test and puts it back.
struct SoftLimit {
    rlimit saved{};
    explicit SoftLimit(long value) {
        BOOST_TEST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
        rlimit lowered = saved;
        lowered.rlim_cur = static_cast<rlim_t>(value);
        BOOST_TEST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    }
    ~SoftLimit() { ::setrlimit(RLIMIT_NOFILE, &saved); }
    SoftLimit(const SoftLimit &) = delete;
    SoftLimit &operator=(const SoftLimit &) = delete;
};

} // namespace

BOOST_AUTO_TEST_CASE(http1_connections_count_two_descriptors_each) {
    const DescriptorHeadroom headroom(2, 8);
    const long base = DescriptorHeadroom::lowest_free_descriptor();
    const SoftLimit limit(base + 2 * 100 + 8); // room for 100 connections
    BOOST_TEST(!headroom.tight(99, base));
    BOOST_TEST(headroom.tight(100, base));
}

BOOST_AUTO_TEST_CASE(connections_on_a_shared_http2_upstream_count_one_descriptor_each) {
    const DescriptorHeadroom headroom(2, 8);
    const long base = DescriptorHeadroom::lowest_free_descriptor();
    const SoftLimit limit(base + 2 * 100 + 8);
    // 150 client sockets, all of them streaming over HTTP/2, and the one
    // connection they share (seen in the lowest free descriptor).
    BOOST_TEST(!headroom.tight(150, base + 151, 150));
    // Beyond the limit by the sockets themselves.
    BOOST_TEST(headroom.tight(150, base + 2 * 100 + 8 - 2, 150));
    // Half of them over HTTP/1.1: 75 * 2 + 75 + the next one's 2 is beyond 200.
    BOOST_TEST(headroom.tight(150, base + 151, 75));
    // More shared calls than connections (a reading between two updates) count as all.
    BOOST_TEST(!headroom.tight(198, base, 500)); // 198 + the next one's 2 + 8 = 208
    BOOST_TEST(headroom.tight(199, base, 500));
}

BOOST_AUTO_TEST_CASE(a_tls_connection_needs_its_socket_pair_either_way) {
    const DescriptorHeadroom headroom(4, 8);
    const long base = DescriptorHeadroom::lowest_free_descriptor();
    const SoftLimit limit(base + 3 * 99 + 4 + 8); // 99 on HTTP/2 (3 each) and the next one (4)
    BOOST_TEST(!headroom.tight(99, base, 99));
    BOOST_TEST(headroom.tight(100, base, 100));
    BOOST_TEST(headroom.tight(99, base, 0)); // 4 each over HTTP/1.1
}
