#define BOOST_TEST_MODULE api_messages_builder
#include <boost/test/unit_test.hpp>

#include "daemon/api/messages_builder.hpp"

#include <boost/json.hpp>

using namespace helix::api;

namespace {

struct Events {
    std::vector<std::string> text; // kept alive for the views
    std::vector<helix_event> list;
    helix_event &add(std::uint32_t type) {
        helix_event e{};
        e.struct_size = sizeof e;
        e.type = type;
        list.push_back(e);
        return list.back();
    }
    helix_str s(const std::string &v) {
        text.push_back(v);
        return {text.back().data(), text.back().size()};
    }
};

// A reply with thinking, text, and two tool calls, then usage.
Events sample() {
    Events ev;
    ev.text.reserve(64);
    ev.list.reserve(64);
    ev.add(HELIX_EVENT_START);
    { auto &e = ev.add(HELIX_EVENT_REASONING_DELTA); e.text = ev.s("Let me think."); }
    { auto &e = ev.add(HELIX_EVENT_REASONING_DELTA); e.reasoning_signature = ev.s("sig=="); }
    { auto &e = ev.add(HELIX_EVENT_TEXT_DELTA); e.text = ev.s("Checking "); }
    { auto &e = ev.add(HELIX_EVENT_TEXT_DELTA); e.text = ev.s("now."); }
    { auto &e = ev.add(HELIX_EVENT_TOOL_CALL_DELTA); e.tool_index = 0; e.tool_call_id = ev.s("call_1"); e.tool_name = ev.s("get_weather"); }
    { auto &e = ev.add(HELIX_EVENT_TOOL_CALL_DELTA); e.tool_index = 0; e.tool_arguments = ev.s("{\"city\":"); }
    { auto &e = ev.add(HELIX_EVENT_TOOL_CALL_DELTA); e.tool_index = 0; e.tool_arguments = ev.s("\"Paris\"}"); }
    { auto &e = ev.add(HELIX_EVENT_TOOL_CALL_DELTA); e.tool_index = 1; e.tool_call_id = ev.s("call_2"); e.tool_name = ev.s("get_time"); }
    { auto &e = ev.add(HELIX_EVENT_FINISH); e.finish_reason = HELIX_FINISH_TOOL_CALLS; }
    { auto &e = ev.add(HELIX_EVENT_USAGE); e.prompt_tokens = 30; e.completion_tokens = 12; e.cached_tokens = 10; }
    return ev;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_whole_reply_is_one_message_with_blocks_in_order) {
    Events ev = sample();
    MessagesBuilder b("msg_1", "openai/gpt-4o", false);
    std::vector<std::string> out;
    for (const auto &e : ev.list) b.add(e, out);
    BOOST_TEST(out.empty());
    const boost::json::value m = boost::json::parse(b.finish(out));
    BOOST_TEST(m.at("type").as_string() == "message");
    BOOST_TEST(m.at("model").as_string() == "openai/gpt-4o");
    BOOST_TEST(m.at("stop_reason").as_string() == "tool_use");
    const auto &content = m.at("content").as_array();
    BOOST_TEST_REQUIRE(content.size() == 4u);
    BOOST_TEST(content[0].at("type").as_string() == "thinking");
    BOOST_TEST(content[0].at("signature").as_string() == "sig==");
    BOOST_TEST(content[1].at("text").as_string() == "Checking now.");
    BOOST_TEST(content[2].at("id").as_string() == "call_1");
    BOOST_TEST(content[2].at("input") == boost::json::parse(R"({"city":"Paris"})"));
    BOOST_TEST(content[3].at("name").as_string() == "get_time");
    BOOST_TEST(content[3].at("input").as_object().empty());
    BOOST_TEST(m.at("usage").at("input_tokens").as_int64() == 20);
    BOOST_TEST(m.at("usage").at("cache_read_input_tokens").as_int64() == 10);
    BOOST_TEST(m.at("usage").at("output_tokens").as_int64() == 12);
}

BOOST_AUTO_TEST_CASE(a_stream_is_anthropic_events_with_block_indexes_that_add_up_to_the_message) {
    Events ev = sample();
    MessagesBuilder b("msg_1", "openai/gpt-4o", true);
    std::vector<std::string> out;
    for (const auto &e : ev.list) b.add(e, out);
    BOOST_TEST(b.finish(out).empty());
    std::vector<std::string> types;
    std::map<std::int64_t, std::string> text, args;
    std::vector<std::int64_t> opened, closed;
    for (const auto &payload : out) {
        const boost::json::value v = boost::json::parse(payload);
        const std::string type(v.at("type").as_string());
        types.push_back(type);
        if (type == "content_block_start") opened.push_back(v.at("index").as_int64());
        if (type == "content_block_stop") closed.push_back(v.at("index").as_int64());
        if (type == "content_block_delta") {
            const auto &d = v.at("delta");
            const auto i = v.at("index").as_int64();
            if (d.at("type") == "text_delta") text[i] += d.at("text").as_string();
            if (d.at("type") == "input_json_delta") args[i] += d.at("partial_json").as_string();
        }
        if (type == "message_delta") {
            BOOST_TEST(v.at("delta").at("stop_reason").as_string() == "tool_use");
            BOOST_TEST(v.at("usage").at("output_tokens").as_int64() == 12);
        }
    }
    BOOST_TEST(types.front() == "message_start");
    BOOST_TEST(types[types.size() - 2] == "message_delta");
    BOOST_TEST(types.back() == "message_stop");
    BOOST_TEST(opened == (std::vector<std::int64_t>{0, 1, 2, 3}));
    BOOST_TEST(closed == opened); // each block closed, in order, before the next opened
    BOOST_TEST(text[1] == "Checking now.");
    BOOST_TEST(args[2] == R"({"city":"Paris"})");
    BOOST_TEST(args[3] == "{}");
}
