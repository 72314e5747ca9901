#define BOOST_TEST_MODULE printable_uri
#include <boost/test/unit_test.hpp>

#include "daemon/http/printable_uri.hpp"

using helix::http::printable_uri;

BOOST_AUTO_TEST_CASE(printable_ascii_is_kept) {
    BOOST_TEST(printable_uri("/v1/chat/completions?x=%41") == "/v1/chat/completions?x=%41");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_controls_and_spaces_are_percent_encoded) {
    BOOST_TEST(printable_uri("/a\xff\xfe b\x1b[31m\x7f") == "/a%FF%FE%20b%1B[31m%7F");
    BOOST_TEST(printable_uri(std::string("/\0x", 3)) == "/%00x");
}

BOOST_AUTO_TEST_CASE(long_text_is_cut_and_marked) {
    const std::string text = printable_uri(std::string(5000, 'a'), 100);
    BOOST_TEST(text.size() == 103U);
    BOOST_TEST(text.ends_with("..."));
}
