#define BOOST_TEST_MODULE api_responses_builder
#include <boost/test/unit_test.hpp>

#include "daemon/api/responses_builder.hpp"

#include <boost/json.hpp>

#include <random>
#include <string>
#include <vector>

namespace api = helix::api;
namespace json = boost::json;

namespace {

helix_str hs(std::string_view s) { return {s.data(), s.size()}; }

helix_event ev(std::uint32_t type) {
    helix_event e{};
    e.struct_size = sizeof e;
    e.type = type;
    return e;
}
helix_event text(std::string_view t) {
    helix_event e = ev(HELIX_EVENT_TEXT_DELTA);
    e.text = hs(t);
    return e;
}
helix_event tool(std::uint32_t index, std::string_view id, std::string_view name, std::string_view args) {
    helix_event e = ev(HELIX_EVENT_TOOL_CALL_DELTA);
    e.tool_index = index;
    e.tool_call_id = hs(id);
    e.tool_name = hs(name);
    e.tool_arguments = hs(args);
    return e;
}
helix_event finish(std::uint32_t reason) {
    helix_event e = ev(HELIX_EVENT_FINISH);
    e.finish_reason = reason;
    return e;
}
helix_event usage(std::int64_t in, std::int64_t out) {
    helix_event e = ev(HELIX_EVENT_USAGE);
    e.prompt_tokens = in;
    e.completion_tokens = out;
    e.cached_tokens = 3;
    e.reasoning_tokens = 2;
    return e;
}

api::ResponsesBuilder builder(bool stream) {
    return api::ResponsesBuilder("abc", 1700000000, "openai/gpt-4o",
                                 json::object{{"instructions", nullptr}, {"metadata", json::object{{"k", "v"}}}}, stream);
}

// The events' payloads parsed.
std::vector<json::object> parsed(const std::vector<std::string> &payloads) {
    std::vector<json::object> out;
    for (const auto &p : payloads) out.push_back(json::parse(p).as_object());
    return out;
}

std::vector<std::string> types(const std::vector<json::object> &events) {
    std::vector<std::string> out;
    for (const auto &e : events) out.emplace_back(e.at("type").as_string());
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_whole_response_holds_the_message_and_the_function_calls_in_order) {
    auto b = builder(false);
    std::vector<std::string> out;
    for (const auto &e : {text("Let me "), text("check."), tool(0, "call_9", "get_weather", "{\"city\""),
                          tool(0, "", "", ":\"Paris\"}"), tool(1, "", "get_time", "{}"), finish(HELIX_FINISH_TOOL_CALLS),
                          usage(10, 5)})
        b.add(e, out);
    b.finish(out);
    BOOST_TEST(out.empty()); // nothing streams
    const json::object r = json::parse(b.build()).as_object();
    BOOST_TEST(r.at("id").as_string() == "resp_abc");
    BOOST_TEST(r.at("object").as_string() == "response");
    BOOST_TEST(r.at("status").as_string() == "completed");
    BOOST_TEST(r.at("model").as_string() == "openai/gpt-4o");
    BOOST_TEST(r.at("metadata").at("k").as_string() == "v");
    const auto &output = r.at("output").as_array();
    BOOST_TEST_REQUIRE(output.size() == 3u);
    BOOST_TEST(output[0].at("type").as_string() == "message");
    BOOST_TEST(output[0].at("content").at(0).at("type").as_string() == "output_text");
    BOOST_TEST(output[0].at("content").at(0).at("text").as_string() == "Let me check.");
    BOOST_TEST(output[1].at("type").as_string() == "function_call");
    BOOST_TEST(output[1].at("call_id").as_string() == "call_9");
    BOOST_TEST(output[1].at("name").as_string() == "get_weather");
    BOOST_TEST(output[1].at("arguments").as_string() == "{\"city\":\"Paris\"}");
    BOOST_TEST(output[1].at("status").as_string() == "completed");
    BOOST_TEST(output[2].at("call_id").as_string().starts_with("call_")); // made up: the upstream gave none
    const auto &u = r.at("usage");
    BOOST_TEST(u.at("input_tokens").as_int64() == 10);
    BOOST_TEST(u.at("output_tokens").as_int64() == 5);
    BOOST_TEST(u.at("total_tokens").as_int64() == 15);
    BOOST_TEST(u.at("input_tokens_details").at("cached_tokens").as_int64() == 3);
    BOOST_TEST(u.at("output_tokens_details").at("reasoning_tokens").as_int64() == 2);
}

BOOST_AUTO_TEST_CASE(a_length_stop_is_incomplete) {
    auto b = builder(false);
    std::vector<std::string> out;
    b.add(text("abc"), out);
    b.add(finish(HELIX_FINISH_LENGTH), out);
    b.finish(out);
    const json::object r = b.to_json();
    BOOST_TEST(r.at("status").as_string() == "incomplete");
    BOOST_TEST(r.at("incomplete_details").at("reason").as_string() == "max_output_tokens");
}

BOOST_AUTO_TEST_CASE(a_stream_sends_the_typed_events_in_order_with_sequence_numbers) {
    auto b = builder(true);
    std::vector<std::string> out;
    for (const auto &e : {text("Hi"), text(" there"), tool(0, "call_1", "f", "{\"a\":"), tool(0, "", "", "1}"),
                          finish(HELIX_FINISH_TOOL_CALLS), usage(4, 6)})
        b.add(e, out);
    b.finish(out);
    const auto events = parsed(out);
    const std::vector<std::string> expected{"response.created",
                                            "response.in_progress",
                                            "response.output_item.added",
                                            "response.content_part.added",
                                            "response.output_text.delta",
                                            "response.output_text.delta",
                                            "response.output_text.done",
                                            "response.content_part.done",
                                            "response.output_item.done",
                                            "response.output_item.added",
                                            "response.function_call_arguments.delta",
                                            "response.function_call_arguments.delta",
                                            "response.function_call_arguments.done",
                                            "response.output_item.done",
                                            "response.completed"};
    BOOST_TEST(types(events) == expected, boost::test_tools::per_element());
    for (std::size_t i = 0; i < events.size(); ++i) BOOST_TEST(events[i].at("sequence_number").as_int64() == std::int64_t(i));
    BOOST_TEST(events[0].at("response").at("status").as_string() == "in_progress");
    BOOST_TEST(events[0].at("response").at("output").as_array().empty());
    BOOST_TEST(events[4].at("delta").as_string() == "Hi");
    BOOST_TEST(events[4].at("item_id").as_string() == "msg_abc");
    BOOST_TEST(events[6].at("text").as_string() == "Hi there");
    BOOST_TEST(events[9].at("output_index").as_int64() == 1);
    BOOST_TEST(events[9].at("item").at("call_id").as_string() == "call_1");
    BOOST_TEST(events[12].at("arguments").as_string() == "{\"a\":1}");
    const auto &done = events.back().at("response");
    BOOST_TEST(done.at("status").as_string() == "completed");
    BOOST_TEST(done.at("usage").at("total_tokens").as_int64() == 10);
    BOOST_TEST(done.at("output").as_array().size() == 2u);
    // The stream's final response is the whole response.
    BOOST_TEST(json::serialize(done) == b.build());
}

BOOST_AUTO_TEST_CASE(text_split_anywhere_gives_the_same_response) {
    const std::string answer = "Grüße aus Köln — 你好 🎉 done";
    auto whole = builder(true);
    std::vector<std::string> ignored;
    whole.add(text(answer), ignored);
    whole.finish(ignored);
    const json::value expected = json::parse(whole.build()).at("output");

    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        auto b = builder(true);
        std::vector<std::string> out;
        std::size_t at = 0;
        while (at < answer.size()) {
            const std::size_t n = round == 0 ? 1 : 1 + rng() % 5; // byte by byte, then random pieces
            b.add(text(std::string_view(answer).substr(at, n)), out);
            at += n;
        }
        b.finish(out);
        std::string deltas;
        for (const auto &e : parsed(out))
            if (e.at("type").as_string() == "response.output_text.delta") deltas += e.at("delta").as_string();
        BOOST_TEST(deltas == answer);
        BOOST_TEST(json::parse(b.build()).at("output") == expected);
    }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_repaired) {
    auto b = builder(false);
    std::vector<std::string> out;
    b.add(text("a\xff"), out);
    b.add(text("\xc3"), out); // cut off at the end
    b.finish(out);
    BOOST_TEST(std::string(json::parse(b.build()).at("output").at(0).at("content").at(0).at("text").as_string()) ==
               "a\xEF\xBF\xBD\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(a_stream_that_breaks_ends_with_response_failed) {
    auto b = builder(true);
    std::vector<std::string> out;
    b.add(text("par"), out);
    api::ApiError error;
    error.status = 502;
    error.message = "The upstream connection was reset.";
    b.failed(error, out);
    const auto events = parsed(out);
    BOOST_TEST(events.back().at("type").as_string() == "response.failed");
    BOOST_TEST(events.back().at("response").at("status").as_string() == "failed");
    BOOST_TEST(events.back().at("response").at("error").at("code").as_string() == "server_error");
    BOOST_TEST(events.back().at("response").at("error").at("message").as_string() == error.message);
    std::vector<std::string> after;
    b.finish(after);
    BOOST_TEST(after.empty());
}

BOOST_AUTO_TEST_CASE(an_empty_answer_still_completes_and_other_choices_are_ignored) {
    auto b = builder(true);
    std::vector<std::string> out;
    helix_event other = text("ignored");
    other.choice = 1;
    b.add(other, out);
    b.finish(out);
    BOOST_TEST(types(parsed(out)) ==
                   (std::vector<std::string>{"response.created", "response.in_progress", "response.completed"}),
               boost::test_tools::per_element());
    BOOST_TEST(b.to_json().at("output").as_array().empty());
}
