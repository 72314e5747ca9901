#define BOOST_TEST_MODULE config_byte_size
#include <boost/test/unit_test.hpp>

#include "daemon/config/byte_size.hpp"

#include <cstdint>
#include <string>

using helix::config::parse_byte_size;

namespace {

// 0 and UINT64_MAX are both valid sizes, so a rejection is a distinct string
// (and a failure prints both sides).
std::string size(std::string_view text) {
    const auto parsed = parse_byte_size(text);
    return parsed ? std::to_string(*parsed) : "rejected";
}
const std::string kRejected = "rejected";
std::string bytes(std::uint64_t value) { return std::to_string(value); }

} // namespace

BOOST_AUTO_TEST_CASE(binary_units) {
    BOOST_TEST(size("512KiB") == bytes(524'288));
    BOOST_TEST(size("4MiB") == bytes(4'194'304));
    BOOST_TEST(size("1GiB") == bytes(1'073'741'824));
    BOOST_TEST(size("2TiB") == bytes(2'199'023'255'552));
}

BOOST_AUTO_TEST_CASE(decimal_units) {
    BOOST_TEST(size("100KB") == bytes(100'000));
    BOOST_TEST(size("10MB") == bytes(10'000'000));
    BOOST_TEST(size("3GB") == bytes(3'000'000'000));
    BOOST_TEST(size("1TB") == bytes(1'000'000'000'000));
}

BOOST_AUTO_TEST_CASE(plain_bytes) {
    BOOST_TEST(size("1024") == bytes(1024));
    BOOST_TEST(size("7B") == bytes(7));
    BOOST_TEST(size("0") == bytes(0));
    BOOST_TEST(size("18446744073709551615") == bytes(UINT64_MAX));
}

BOOST_AUTO_TEST_CASE(rejects_malformed) {
    for (const char *bad : {"", "MiB", "-1", "+1", "-1KiB", "1.5MiB", "4mib", "4Mib", "4mb", "4M", "4K", "4 MiB",
                            " 4MiB", "4MiB ", "4MiBs", "4iB", "1KiBKiB", "0x10"}) {
        BOOST_TEST_CONTEXT("input '" << bad << "'") { BOOST_TEST(size(bad) == kRejected); }
    }
}

BOOST_AUTO_TEST_CASE(rejects_overflow) {
    BOOST_TEST(size("18446744073709551616") == kRejected);
    BOOST_TEST(size("17179869184GiB") == kRejected); // 2^34 * 2^30 = 2^64
    BOOST_TEST(size("17179869183GiB") == bytes(17'179'869'183ULL << 30));
    BOOST_TEST(size("18446745TB") == kRejected);
}
