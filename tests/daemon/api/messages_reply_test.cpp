#define BOOST_TEST_MODULE api_messages_reply
#include <boost/test/unit_test.hpp>

#include "daemon/api/messages_reply.hpp"

#include <boost/json.hpp>

using namespace helix::api;

namespace {

helix_event messages_event(const std::string &name, const std::string &json) {
    helix_event e{};
    e.struct_size = sizeof e;
    e.type = HELIX_EVENT_MESSAGES;
    e.name = {name.data(), name.size()};
    e.json = {json.data(), json.size()};
    return e;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_model_is_mapped_back_and_the_rest_kept) {
    MessagesPassthrough relay("anthropic/claude-sonnet-4-20250514");
    const std::string start = R"({"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-20250514","content":[],"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}})";
    const auto out = relay.add(messages_event("message_start", start));
    BOOST_TEST_REQUIRE(out.has_value());
    boost::json::value expected = boost::json::parse(start);
    expected.at("message").as_object()["model"] = "anthropic/claude-sonnet-4-20250514";
    BOOST_TEST(boost::json::parse(*out) == expected);
    const std::string sig = R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB+/=="}})";
    BOOST_TEST(*relay.add(messages_event("content_block_delta", sig)) == sig); // byte for byte
    relay.add(messages_event("message_delta", R"({"type":"message_delta","delta":{},"usage":{"output_tokens":42}})"));
    BOOST_TEST(relay.usage().input_tokens == 15);
    BOOST_TEST(relay.usage().output_tokens == 42);

    helix_event other{};
    other.struct_size = sizeof other;
    other.type = HELIX_EVENT_TEXT_DELTA;
    BOOST_TEST(!relay.add(other).has_value());
}

BOOST_AUTO_TEST_CASE(a_whole_message_gets_the_client_model) {
    MessagesPassthrough relay("claude");
    const auto out = relay.add(messages_event(
        "message", R"({"id":"m","type":"message","model":"up","content":[],"usage":{"input_tokens":3,"output_tokens":4}})"));
    BOOST_TEST(boost::json::parse(*out).at("model").as_string() == "claude");
    BOOST_TEST(relay.usage().output_tokens == 4);
}

BOOST_AUTO_TEST_CASE(sse_events_are_named_by_their_type) {
    BOOST_TEST(anthropic_sse(R"({"type":"ping"})") == "event: ping\ndata: {\"type\":\"ping\"}\n\n");
    BOOST_TEST(anthropic_sse(R"({"type":"error","error":{}})").starts_with("event: error\n"));
}
