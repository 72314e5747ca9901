#define BOOST_TEST_MODULE api_sse_frame
#include <boost/test/unit_test.hpp>

#include "daemon/api/sse_frame.hpp"

using namespace helix::api;

BOOST_AUTO_TEST_CASE(data_only_event) {
    BOOST_TEST(sse_data("{\"a\":1}") == "data: {\"a\":1}\n\n");
    BOOST_TEST(sse_data("[DONE]") == "data: [DONE]\n\n");
}

BOOST_AUTO_TEST_CASE(named_event) {
    BOOST_TEST(sse_event("ping", "{\"type\":\"ping\"}") == "event: ping\ndata: {\"type\":\"ping\"}\n\n");
}

BOOST_AUTO_TEST_CASE(multi_line_payload_becomes_several_data_lines) {
    BOOST_TEST(sse_data("a\nb\r\nc\rd") == "data: a\ndata: b\ndata: c\ndata: d\n\n");
    BOOST_TEST(sse_data("") == "data: \n\n");
    BOOST_TEST(sse_data("x\n") == "data: x\ndata: \n\n");
}

BOOST_AUTO_TEST_CASE(append_keeps_what_is_there) {
    std::string out = "data: 1\n\n";
    append_sse_event(out, {}, "2");
    BOOST_TEST(out == "data: 1\n\ndata: 2\n\n");
}
