#include "tools/plugin_testkit/reply_feeder.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>
#include <vector>

using namespace helix::plugin_testkit;

namespace {

struct Seen {
    std::vector<std::string> pieces;
    std::vector<const void *> addresses;
    int finishes = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(the_head_comes_first_then_the_body_in_copied_pieces_then_finish) {
    const std::string body = "0123456789";
    const std::string name = "content-type", value = "application/json";
    const helix_header head{{name.data(), name.size()}, {value.data(), value.size()}};
    Seen seen;
    const FedReply fed = feed_reply(
        201, std::span(&head, 1), body, Chunking::bytes, 1,
        [&](const helix_http_response &r, helix_error &) {
            BOOST_TEST(r.status == 201);
            BOOST_TEST(r.header_count == 1u);
            seen.pieces.emplace_back(reinterpret_cast<const char *>(r.data), r.len);
            seen.addresses.push_back(r.data);
            return HELIX_OK;
        },
        [&](helix_error &) {
            ++seen.finishes;
            return HELIX_OK;
        });
    BOOST_TEST(fed.status == HELIX_OK);
    BOOST_TEST_REQUIRE(seen.pieces.size() == body.size() + 1);
    BOOST_TEST(seen.pieces.front().empty());
    BOOST_TEST(seen.addresses.front() == nullptr);
    for (std::size_t i = 1; i < seen.pieces.size(); ++i) {
        BOOST_TEST(seen.pieces[i] == body.substr(i - 1, 1));
        // A copy, not a view into the caller's body.
        BOOST_TEST(seen.addresses[i] != static_cast<const void *>(body.data() + i - 1));
    }
    BOOST_TEST(seen.finishes == 1);
}

BOOST_AUTO_TEST_CASE(a_failed_decode_stops_the_feed_and_skips_finish) {
    Seen seen;
    const FedReply fed = feed_reply(
        200, {}, "abcdef", Chunking::bytes, 1,
        [&](const helix_http_response &r, helix_error &err) {
            seen.pieces.emplace_back(reinterpret_cast<const char *>(r.data), r.len);
            if (seen.pieces.size() < 3) return HELIX_OK;
            err.http_status = 502;
            std::strcpy(err.message, "bad frame");
            return HELIX_ERR_PROTOCOL;
        },
        [&](helix_error &) {
            ++seen.finishes;
            return HELIX_OK;
        });
    BOOST_TEST(fed.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(!fed.failed_in_finish);
    BOOST_TEST(fed.error.http_status == 502);
    BOOST_TEST(std::string(fed.error.message) == "bad frame");
    BOOST_TEST(seen.pieces.size() == 3u);
    BOOST_TEST(seen.finishes == 0);
}

BOOST_AUTO_TEST_CASE(a_failure_in_finish_is_marked) {
    const FedReply fed = feed_reply(
        200, {}, "x", Chunking::whole, 1, [](const helix_http_response &, helix_error &) { return HELIX_OK; },
        [](helix_error &) { return HELIX_ERR_UPSTREAM; });
    BOOST_TEST(fed.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(fed.failed_in_finish);
}
