#define BOOST_TEST_MODULE key_digest
#include "daemon/config/key_digest.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <thread>

namespace {

std::string hex(const helix::config::KeyDigest &d) {
    std::string text;
    char byte[3];
    for (const unsigned char b : d) {
        std::snprintf(byte, sizeof byte, "%02x", b);
        text += byte;
    }
    return text;
}

} // namespace

// FIPS 180-2's test vectors: the cached algorithm and context give SHA-256.
BOOST_AUTO_TEST_CASE(digests_are_sha256) {
    BOOST_TEST(hex(helix::config::digest_of_key("abc")) ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(hex(helix::config::digest_of_key("")) ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// The context is reused: one digest does not leak into the next.
BOOST_AUTO_TEST_CASE(repeated_digests_are_independent) {
    const auto first = helix::config::digest_of_key("sk-client-one");
    helix::config::digest_of_key(std::string(10000, 'x'));
    BOOST_TEST((helix::config::digest_of_key("sk-client-one") == first));
}

// Each thread has its own context; all agree.
BOOST_AUTO_TEST_CASE(threads_agree) {
    const auto expected = helix::config::digest_of_key("sk-threads");
    helix::config::KeyDigest other{};
    std::thread t([&] { other = helix::config::digest_of_key("sk-threads"); });
    t.join();
    BOOST_TEST((other == expected));
}
