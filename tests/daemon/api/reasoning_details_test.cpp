#define BOOST_TEST_MODULE api_reasoning_details
#include <boost/test/unit_test.hpp>

// The reasoning round trip on the chat wire: events -> the assistant message
// (whole, and streamed as pieces) -> that message sent back -> the reasoning
// blocks and signatures of the canonical request, byte for byte.

#include "daemon/api/chat_request.hpp"
#include "daemon/api/chunk_builder.hpp"
#include "daemon/api/completion_builder.hpp"
#include "daemon/api/responses_builder.hpp"
#include "daemon/api/responses_request.hpp"
#include "tests/daemon/api/events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

namespace api = helix::api;
namespace json = boost::json;
using namespace helix::api::test;

namespace {

std::string_view sv(helix_str s) { return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len); }

helix_event reasoning(std::uint32_t index, std::string_view text, std::string_view signature = {},
                      std::string_view data = {}, std::string_view format = "anthropic-claude-v1") {
    helix_event e = event(HELIX_EVENT_REASONING_DELTA);
    e.reasoning_index = index;
    e.text = hs(text);
    e.reasoning_signature = hs(signature);
    e.reasoning_redacted_data = hs(data);
    e.reasoning_format = hs(format);
    return e;
}

helix_event tool_signature(std::uint32_t tool_index, std::string_view signature) {
    helix_event e = event(HELIX_EVENT_TOOL_CALL_DELTA);
    e.tool_index = tool_index;
    e.tool_signature = hs(signature);
    e.reasoning_format = hs("google-gemini-v1");
    return e;
}

const std::vector<helix_event> &events() {
    static const std::vector<helix_event> kEvents{
        start("msg_1"),
        reasoning(0, "Let me think \xC3\xA9"),
        reasoning(0, " more."),
        reasoning(0, "", "EqQBCgIY+/sig=="),
        reasoning(1, "", "", "EmwKAhgB+/redacted=="),
        tool(0, "toolu_1", "get_weather", R"({"city":)"),
        tool_signature(0, "CiQBjz1rX+/thought=="),
        args(0, R"("Paris"})"),
        finish(HELIX_FINISH_TOOL_CALLS),
    };
    return kEvents;
}

const char *const kDetails =
    R"([{"type":"reasoning.text","index":0,"format":"anthropic-claude-v1","text":"Let me think )" "\xC3\xA9" R"( more.","signature":"EqQBCgIY+/sig=="},)"
    R"({"type":"reasoning.encrypted","index":1,"format":"anthropic-claude-v1","data":"EmwKAhgB+/redacted=="},)"
    R"({"type":"reasoning.encrypted","index":2,"format":"google-gemini-v1","data":"CiQBjz1rX+/thought==","id":"toolu_1"}])";

} // namespace

BOOST_AUTO_TEST_CASE(the_message_shows_reasoning_content_and_details) {
    api::CompletionBuilder builder("chatcmpl-x", 1, "m");
    for (const helix_event &e : events()) builder.add(e);
    const json::object response = builder.to_json();
    const json::object &message = response.at("choices").as_array()[0].at("message").as_object();
    BOOST_TEST(message.at("reasoning_content") == "Let me think \xC3\xA9 more.");
    BOOST_TEST(json::serialize(message.at("reasoning_details")) == kDetails);
    BOOST_TEST(json::serialize(message.at("tool_calls").as_array()[0].at("function")) ==
               R"({"name":"get_weather","arguments":"{\"city\":\"Paris\"}"})");
}

BOOST_AUTO_TEST_CASE(stream_pieces_merged_by_index_give_the_same_details) {
    api::ChunkBuilder builder("chatcmpl-x", 1, "m", false);
    std::vector<std::string> chunks;
    for (const helix_event &e : events()) builder.add(e, chunks);
    builder.finish(chunks);
    std::string reasoning_content;
    std::vector<json::object> details;
    for (const std::string &c : chunks) {
        const json::value v = json::parse(c);
        const json::array &choices = v.at("choices").as_array();
        if (choices.empty()) continue;
        const json::object &delta = choices[0].at("delta").as_object();
        if (const json::value *t = delta.if_contains("reasoning_content")) reasoning_content += t->as_string();
        const json::value *pieces = delta.if_contains("reasoning_details");
        if (pieces == nullptr) continue;
        BOOST_TEST(delta.if_contains("content") == nullptr); // reasoning chunks carry no answer text
        for (const json::value &p : pieces->as_array()) {
            const auto index = static_cast<std::size_t>(p.at("index").as_int64());
            if (index >= details.size()) details.resize(index + 1);
            api::merge_entry(details[index], p.as_object());
        }
    }
    BOOST_TEST(reasoning_content == "Let me think \xC3\xA9 more.");
    json::array merged;
    for (const json::object &d : details) merged.push_back(d);
    // Members may come in another order in pieces; compare as JSON values.
    BOOST_TEST(merged == json::parse(kDetails));
}

BOOST_AUTO_TEST_CASE(the_message_sent_back_restores_every_block_and_signature) {
    api::CompletionBuilder builder("chatcmpl-x", 1, "m");
    for (const helix_event &e : events()) builder.add(e);
    json::object message = builder.to_json().at("choices").as_array()[0].at("message").as_object();
    const json::object body{{"model", "m"},
                            {"messages", json::array{json::object{{"role", "user"}, {"content", "hi"}}, message,
                                                     json::object{{"role", "tool"}, {"tool_call_id", "toolu_1"}, {"content", "sunny"}}}}};
    api::ParseResult parsed = api::parse_chat_request(json::serialize(body));
    BOOST_TEST_REQUIRE(std::holds_alternative<api::ChatRequest>(parsed));
    const helix_chat_request &r = std::get<api::ChatRequest>(parsed).view();
    const helix_message &m = *r.messages[1];
    BOOST_TEST_REQUIRE(m.reasoning_count == 2U);
    BOOST_TEST(m.reasoning[0]->kind == HELIX_REASONING_TEXT);
    BOOST_TEST(sv(m.reasoning[0]->text) == "Let me think \xC3\xA9 more.");
    BOOST_TEST(sv(m.reasoning[0]->signature) == "EqQBCgIY+/sig==");
    BOOST_TEST(sv(m.reasoning[0]->format) == "anthropic-claude-v1");
    BOOST_TEST(m.reasoning[1]->kind == HELIX_REASONING_REDACTED);
    BOOST_TEST(sv(m.reasoning[1]->redacted_data) == "EmwKAhgB+/redacted==");
    BOOST_TEST_REQUIRE(m.tool_call_count == 1U);
    BOOST_TEST(sv(m.tool_calls[0]->signature) == "CiQBjz1rX+/thought==");
}

BOOST_AUTO_TEST_CASE(bad_reasoning_details_name_the_field) {
    const auto error = [](const std::string &details) {
        const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"},)"
                                 R"({"role":"assistant","content":"x","tool_calls":[{"id":"c1","type":"function",)"
                                 R"("function":{"name":"f","arguments":"{}"}}],"reasoning_details":)" + details + "}]}";
        api::ParseResult parsed = api::parse_chat_request(std::string_view(body));
        BOOST_TEST_REQUIRE(std::holds_alternative<api::ApiError>(parsed), details);
        return std::get<api::ApiError>(parsed);
    };
    BOOST_TEST(error(R"({"type":"reasoning.text"})").param == "messages[1].reasoning_details");
    BOOST_TEST(error(R"([{"text":"x"}])").param == "messages[1].reasoning_details[0].type");
    BOOST_TEST(error(R"([{"type":"reasoning.text","signature":7}])").param == "messages[1].reasoning_details[0].signature");
    BOOST_TEST(error(R"([{"type":"reasoning.encrypted"}])").param == "messages[1].reasoning_details[0].data");
    BOOST_TEST(error(R"([{"type":"reasoning.encrypted","data":"s","id":"c9"}])").param == "messages[1].reasoning_details[0].id");
}

BOOST_AUTO_TEST_CASE(reasoning_effort_and_thinking_budget) {
    const auto parse = [](const std::string &extra) {
        const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}],)" + extra + "}";
        return api::parse_chat_request(std::string_view(body));
    };
    api::ParseResult high = parse(R"("reasoning_effort":"high")");
    BOOST_TEST_REQUIRE(std::holds_alternative<api::ChatRequest>(high));
    BOOST_TEST(std::get<api::ChatRequest>(high).view().reasoning_effort == HELIX_EFFORT_HIGH);
    api::ParseResult none = parse(R"("reasoning_effort":"none")");
    BOOST_TEST_REQUIRE(std::holds_alternative<api::ChatRequest>(none));
    BOOST_TEST(std::get<api::ChatRequest>(none).view().reasoning_effort == HELIX_EFFORT_UNSET);
    api::ParseResult budget = parse(R"("thinking":{"type":"enabled","budget_tokens":3000})");
    BOOST_TEST_REQUIRE(std::holds_alternative<api::ChatRequest>(budget));
    BOOST_TEST((std::get<api::ChatRequest>(budget).view().present & HELIX_HAS_REASONING_BUDGET) != 0U);
    BOOST_TEST(std::get<api::ChatRequest>(budget).view().reasoning_budget_tokens == 3000);
    api::ParseResult wrong = parse(R"("reasoning_effort":"max")");
    BOOST_TEST_REQUIRE(std::holds_alternative<api::ApiError>(wrong));
    BOOST_TEST(std::get<api::ApiError>(wrong).param == "reasoning_effort");
    api::ParseResult no_budget = parse(R"("thinking":{"type":"enabled"})");
    BOOST_TEST_REQUIRE(std::holds_alternative<api::ApiError>(no_budget));
    BOOST_TEST(std::get<api::ApiError>(no_budget).param == "thinking.budget_tokens");
}

// The Responses API: the reasoning item's encrypted_content carries the same
// details; its output items sent back as input restore every block, streamed
// or not, and a tampered encrypted_content is a 400 naming it.
BOOST_AUTO_TEST_CASE(responses_reasoning_items_round_trip) {
    for (const bool stream : {false, true}) {
        api::ResponsesBuilder builder("abc", 1, "m", json::object{}, stream);
        std::vector<std::string> out;
        for (const helix_event &e : events()) builder.add(e, out);
        builder.finish(out);
        json::array output = builder.to_json().at("output").as_array();
        if (stream) {
            // The output of response.completed, as a streaming client holds it.
            output = json::parse(out.back()).at("response").at("output").as_array();
            std::string summary;
            for (const std::string &e : out) {
                const json::value v = json::parse(e);
                if (v.at("type") == "response.reasoning_summary_text.delta") summary += v.at("delta").as_string();
            }
            BOOST_TEST(summary == "Let me think \xC3\xA9 more.");
        }
        BOOST_TEST_REQUIRE(output.size() == 2U);
        BOOST_TEST(output[0].at("type") == "reasoning");
        BOOST_TEST(output[0].at("summary").as_array()[0].at("text") == "Let me think \xC3\xA9 more.");
        BOOST_TEST(output[1].at("type") == "function_call");
        BOOST_TEST(json::value(*api::decode_reasoning(output[0].at("encrypted_content").as_string())) == json::parse(kDetails));

        json::array input{json::object{{"role", "user"}, {"content", "hi"}}};
        for (const json::value &item : output) input.push_back(item);
        input.push_back(json::object{{"type", "function_call_output"}, {"call_id", "toolu_1"}, {"output", "sunny"}});
        api::ResponsesParseResult parsed =
            api::parse_responses_request(json::serialize(json::object{{"model", "m"}, {"input", input}}));
        BOOST_TEST_REQUIRE(std::holds_alternative<api::ResponsesRequest>(parsed));
        const helix_chat_request &r = std::get<api::ResponsesRequest>(parsed).chat.view();
        BOOST_TEST_REQUIRE(r.message_count == 3U);
        const helix_message &m = *r.messages[1];
        BOOST_TEST_REQUIRE(m.reasoning_count == 2U);
        BOOST_TEST(sv(m.reasoning[0]->signature) == "EqQBCgIY+/sig==");
        BOOST_TEST(sv(m.reasoning[1]->redacted_data) == "EmwKAhgB+/redacted==");
        BOOST_TEST(sv(m.tool_calls[0]->signature) == "CiQBjz1rX+/thought==");

        input[1].as_object()["encrypted_content"] = "bm90IG91cnM="; // "not ours"
        api::ResponsesParseResult tampered =
            api::parse_responses_request(json::serialize(json::object{{"model", "m"}, {"input", input}}));
        BOOST_TEST_REQUIRE(std::holds_alternative<api::ApiError>(tampered));
        BOOST_TEST(std::get<api::ApiError>(tampered).param == "input[1].encrypted_content");
    }
}
