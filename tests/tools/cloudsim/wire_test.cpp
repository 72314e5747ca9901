#define BOOST_TEST_MODULE cloudsim_wire
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/anthropic_wire.hpp"
#include "tools/cloudsim/openai_wire.hpp"
#include "tools/cloudsim/thinking.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <vector>

using namespace helix::cloudsim;
namespace json = boost::json;

namespace {

struct SseEvent {
    std::string event;
    std::string data;
};

// A minimal SSE parser: events separated by blank lines, `event:` and `data:` fields.
std::vector<SseEvent> parse_sse(const std::string &text) {
    std::vector<SseEvent> out;
    SseEvent cur;
    bool any = false;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto eol = text.find('\n', i);
        const std::string line = text.substr(i, eol - i);
        i = eol == std::string::npos ? text.size() : eol + 1;
        if (line.empty()) {
            if (any) out.push_back(cur);
            cur = {};
            any = false;
        } else if (line.rfind("event: ", 0) == 0) {
            cur.event = line.substr(7);
            any = true;
        } else if (line.rfind("data: ", 0) == 0) {
            if (!cur.data.empty()) cur.data += "\n";
            cur.data += line.substr(6);
            any = true;
        }
    }
    return out;
}

std::string drain(FrameSource &source, std::size_t &token_frames) {
    std::string out;
    Frame f;
    token_frames = 0;
    while (source.next(f)) {
        out += f.bytes;
        if (f.token) ++token_frames;
    }
    return out;
}

const char *kToolsOpenAi = R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":
    {"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}}}}}])";

} // namespace

BOOST_AUTO_TEST_CASE(openai_request_is_validated) {
    openai::ApiError e;
    BOOST_TEST(!openai::parse_chat_request("{not json", e).has_value());
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.type == "invalid_request_error");
    BOOST_TEST(!openai::parse_chat_request(R"({"model":"m"})", e).has_value());
    BOOST_TEST(e.param.value_or("") == "messages");
    BOOST_TEST(!openai::parse_chat_request(R"({"model":"m","messages":[]})", e).has_value());
    BOOST_TEST(e.code.value_or("") == "empty_array");
    BOOST_TEST(!openai::parse_chat_request(R"({"messages":[{"role":"user","content":"x"}]})", e).has_value());
    BOOST_TEST(!openai::parse_chat_request(R"({"model":"m","messages":[{"role":"tool","tool_call_id":"c","content":"x"}]})", e)
                    .has_value());
    BOOST_TEST(!openai::parse_chat_request(R"({"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]})", e)
                    .has_value());
    BOOST_TEST(e.param.value_or("") == "stream_options");

    const auto body = json::parse(openai::error_body(e)).as_object();
    BOOST_TEST(body.at("error").as_object().at("type").as_string() == "invalid_request_error");
    BOOST_TEST(body.at("error").as_object().contains("code"));
}

BOOST_AUTO_TEST_CASE(openai_prompt_tokens_count_every_text) {
    openai::ApiError e;
    const auto req = openai::parse_chat_request(
        R"({"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},
            {"role":"user","content":[{"type":"text","text":"two words"},{"type":"image_url","image_url":{"url":"x"}}]},
            {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\": 1}"}}]},
            {"role":"tool","tool_call_id":"c1","content":"sunny and warm"}]})",
        e);
    BOOST_REQUIRE(req.has_value());
    BOOST_TEST(req->prompt.prompt_tokens == 2U + 2U + 1U + 2U + 3U);
    BOOST_TEST(req->prompt.ends_with_tool_result);
    BOOST_TEST(req->prompt.tool_result_text == "sunny and warm");
    BOOST_TEST(req->prompt.last_user_text == "two words");
}

BOOST_AUTO_TEST_CASE(openai_stream_matches_the_completion) {
    openai::ApiError e;
    const auto req = openai::parse_chat_request(
        R"({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},
            "messages":[{"role":"user","content":"Say something nice"}]})",
        e);
    BOOST_REQUIRE(req.has_value());
    BOOST_TEST(req->include_usage);
    const Reply reply = generate_reply(req->prompt, 12);
    const openai::ReplyMeta meta{"chatcmpl-x", 1700000000, "gpt-4o"};
    const auto whole = json::parse(openai::completion_body(reply, meta)).as_object();

    openai::ChunkStream chunks(reply, meta, true);
    std::size_t tokens = 0;
    const auto events = parse_sse(drain(chunks, tokens));
    BOOST_TEST(tokens == 12U);
    BOOST_TEST(chunks.token_frames() == 12U);
    BOOST_REQUIRE(events.size() >= 4U);
    BOOST_TEST(events.back().data == "[DONE]");
    std::string text;
    std::string finish;
    json::value usage;
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
        BOOST_TEST(events[i].event.empty());
        const auto chunk = json::parse(events[i].data).as_object();
        BOOST_TEST(chunk.at("id").as_string() == "chatcmpl-x");
        BOOST_TEST(chunk.at("object").as_string() == "chat.completion.chunk");
        const auto &choices = chunk.at("choices").as_array();
        if (choices.empty()) {
            usage = chunk.at("usage");
            continue;
        }
        BOOST_TEST(chunk.at("usage").is_null());
        const auto &delta = choices[0].as_object().at("delta").as_object();
        if (const auto *c = delta.if_contains("content"); c && c->is_string()) text += c->as_string().c_str();
        if (choices[0].as_object().at("finish_reason").is_string())
            finish = choices[0].as_object().at("finish_reason").as_string().c_str();
    }
    const auto &choice = whole.at("choices").as_array()[0].as_object();
    BOOST_TEST(text == choice.at("message").as_object().at("content").as_string().c_str());
    BOOST_TEST(finish == "stop");
    BOOST_TEST(usage == whole.at("usage"));
    BOOST_TEST(whole.at("usage").as_object().at("completion_tokens").to_number<std::uint64_t>() == 12U);
}

BOOST_AUTO_TEST_CASE(openai_streamed_tool_call_assembles) {
    openai::ApiError e;
    const auto req = openai::parse_chat_request(
        std::string(R"({"model":"gpt-4o","messages":[{"role":"user","content":"call tool get_weather"}],)") +
            kToolsOpenAi + "}",
        e);
    BOOST_REQUIRE(req.has_value());
    const Reply reply = generate_reply(req->prompt, 20);
    const openai::ReplyMeta meta{"chatcmpl-y", 1, "gpt-4o"};
    const auto whole = json::parse(openai::completion_body(reply, meta)).as_object();
    const auto &choice = whole.at("choices").as_array()[0].as_object();
    BOOST_TEST(choice.at("finish_reason").as_string() == "tool_calls");
    const auto &call = choice.at("message").as_object().at("tool_calls").as_array()[0].as_object();

    openai::ChunkStream chunks(reply, meta, false);
    std::size_t tokens = 0;
    const auto events = parse_sse(drain(chunks, tokens));
    std::string id, name, args;
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
        const auto chunk = json::parse(events[i].data).as_object();
        BOOST_TEST(!chunk.contains("usage"));
        const auto &delta = chunk.at("choices").as_array()[0].as_object().at("delta").as_object();
        const auto *calls = delta.if_contains("tool_calls");
        if (!calls) continue;
        const auto &frag = calls->as_array()[0].as_object();
        BOOST_TEST(frag.at("index").as_int64() == 0);
        if (const auto *v = frag.if_contains("id")) {
            BOOST_TEST(id.empty());
            id = v->as_string().c_str();
            BOOST_TEST(frag.at("type").as_string() == "function");
            name = frag.at("function").as_object().at("name").as_string().c_str();
            BOOST_TEST(frag.at("function").as_object().at("arguments").as_string().empty());
        } else {
            BOOST_TEST(!frag.at("function").as_object().contains("name"));
            args += frag.at("function").as_object().at("arguments").as_string().c_str();
        }
    }
    BOOST_TEST(id == call.at("id").as_string().c_str());
    BOOST_TEST(name == "get_weather");
    BOOST_TEST(args == call.at("function").as_object().at("arguments").as_string().c_str());
    BOOST_TEST(json::parse(args) == json::parse(R"({"city":"sim-city","unit":"c"})"));
}

BOOST_AUTO_TEST_CASE(openai_malformed_chunk_is_not_json) {
    const auto events = parse_sse(openai::malformed_chunk({"chatcmpl-z", 1, "m"}));
    BOOST_REQUIRE(events.size() == 1U);
    boost::system::error_code ec;
    json::parse(events[0].data, ec);
    BOOST_TEST(static_cast<bool>(ec));
}

BOOST_AUTO_TEST_CASE(anthropic_request_is_validated) {
    anthropic::ApiError e;
    BOOST_TEST(!anthropic::parse_messages_request("nope", e).has_value());
    BOOST_TEST(e.type == "invalid_request_error");
    BOOST_TEST(!anthropic::parse_messages_request(R"({"model":"c","messages":[{"role":"user","content":"x"}]})", e)
                    .has_value());
    BOOST_TEST(e.message == "max_tokens: Field required");
    BOOST_TEST(!anthropic::parse_messages_request(R"({"model":"c","max_tokens":5,"messages":[]})", e).has_value());
    BOOST_TEST(!anthropic::parse_messages_request(
                    R"({"model":"c","max_tokens":5,"messages":[{"role":"system","content":"x"}]})", e)
                    .has_value());
    const auto body = json::parse(anthropic::error_body({401, "authentication_error", "invalid x-api-key"}, "req_1"));
    BOOST_TEST(body.at("type").as_string() == "error");
    BOOST_TEST(body.at("error").at("type").as_string() == "authentication_error");
    BOOST_TEST(body.at("request_id").as_string() == "req_1");
}

BOOST_AUTO_TEST_CASE(anthropic_stream_matches_the_message) {
    anthropic::ApiError e;
    const auto req = anthropic::parse_messages_request(
        R"({"model":"claude-x","max_tokens":100,"system":"be kind","stream":true,
            "messages":[{"role":"user","content":[{"type":"text","text":"Say something nice"}]}]})",
        e);
    BOOST_REQUIRE(req.has_value());
    BOOST_TEST(req->prompt.prompt_tokens == 5U);
    const Reply reply = generate_reply(req->prompt, 9);
    const anthropic::ReplyMeta meta{"msg_01x", "claude-x"};
    const auto whole = json::parse(anthropic::message_body(reply, meta)).as_object();

    anthropic::EventStream stream(reply, meta);
    std::size_t tokens = 0;
    const auto events = parse_sse(drain(stream, tokens));
    BOOST_TEST(tokens == 9U);
    std::vector<std::string> types;
    std::string text;
    json::object usage;
    std::string stop;
    for (const auto &ev : events) {
        const auto data = json::parse(ev.data).as_object();
        BOOST_TEST(data.at("type").as_string() == ev.event);
        types.push_back(ev.event);
        if (ev.event == "message_start") usage = data.at("message").as_object().at("usage").as_object();
        if (ev.event == "content_block_delta") {
            BOOST_TEST(data.at("delta").as_object().at("type").as_string() == "text_delta");
            text += data.at("delta").as_object().at("text").as_string().c_str();
        }
        if (ev.event == "message_delta") {
            stop = data.at("delta").as_object().at("stop_reason").as_string().c_str();
            for (const auto &kv : data.at("usage").as_object()) usage[kv.key()] = kv.value();
        }
    }
    BOOST_TEST(types.front() == "message_start");
    BOOST_TEST(types[1] == "content_block_start");
    BOOST_TEST(types[2] == "ping");
    BOOST_TEST(types[types.size() - 3] == "content_block_stop");
    BOOST_TEST(types[types.size() - 2] == "message_delta");
    BOOST_TEST(types.back() == "message_stop");
    BOOST_TEST(text == whole.at("content").as_array()[0].as_object().at("text").as_string().c_str());
    BOOST_TEST(stop == "end_turn");
    BOOST_TEST(json::value(usage) == whole.at("usage"));
}

BOOST_AUTO_TEST_CASE(anthropic_tool_use_and_tool_result) {
    anthropic::ApiError e;
    const auto req = anthropic::parse_messages_request(
        R"({"model":"c","max_tokens":100,"tools":[{"name":"get_weather","input_schema":{"type":"object",
            "properties":{"city":{"type":"string"}}}}],
            "messages":[{"role":"user","content":"call tool get_weather"}]})",
        e);
    BOOST_REQUIRE(req.has_value());
    const Reply reply = generate_reply(req->prompt, 20);
    const auto whole = json::parse(anthropic::message_body(reply, {"msg_01y", "c"})).as_object();
    BOOST_TEST(whole.at("stop_reason").as_string() == "tool_use");
    const auto &block = whole.at("content").as_array()[0].as_object();
    BOOST_TEST(block.at("type").as_string() == "tool_use");
    BOOST_TEST(block.at("input") == json::parse(R"({"city":"sim-city"})"));

    anthropic::EventStream stream(reply, {"msg_01y", "c"});
    std::size_t tokens = 0;
    std::string partial;
    for (const auto &ev : parse_sse(drain(stream, tokens))) {
        const auto data = json::parse(ev.data).as_object();
        if (ev.event == "content_block_start") {
            BOOST_TEST(data.at("content_block").as_object().at("id") == block.at("id"));
        }
        if (ev.event == "content_block_delta") {
            BOOST_TEST(data.at("delta").as_object().at("type").as_string() == "input_json_delta");
            partial += data.at("delta").as_object().at("partial_json").as_string().c_str();
        }
    }
    BOOST_TEST(json::parse(partial) == block.at("input"));

    const auto result = anthropic::parse_messages_request(
        R"({"model":"c","max_tokens":100,"messages":[
            {"role":"user","content":"call tool get_weather"},
            {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"18 degrees"}]}]}]})",
        e);
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result->prompt.ends_with_tool_result);
    BOOST_TEST(generate_reply(result->prompt, 20).text() == "Tool result: 18 degrees");
}

// Thinking: the reply starts with a signed thinking block (streamed as
// thinking_delta pieces and a signature_delta), and a later turn that carries
// it back altered, unsigned or dropped is refused as Anthropic refuses it.
BOOST_AUTO_TEST_CASE(anthropic_thinking_is_signed_and_checked_when_sent_back) {
    anthropic::ApiError e;
    const auto req = anthropic::parse_messages_request(
        R"({"model":"c","max_tokens":3000,"thinking":{"type":"enabled","budget_tokens":2048},
            "tools":[{"name":"get_weather","input_schema":{"type":"object"}}],
            "messages":[{"role":"user","content":"call tool get_weather ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING"}]})",
        e);
    BOOST_REQUIRE_MESSAGE(req.has_value(), e.message);
    const Reply reply = generate_reply(req->prompt, 20);
    const auto whole = json::parse(anthropic::message_body(reply, {"msg_t", "c"})).as_object();
    const json::array &content = whole.at("content").as_array();
    BOOST_TEST_REQUIRE(content.size() == 3U);
    BOOST_TEST(content[0].at("type") == "thinking");
    BOOST_TEST(content[1].at("type") == "redacted_thinking");
    BOOST_TEST(content[2].at("type") == "tool_use");
    BOOST_TEST(valid_signature(content[0].at("thinking").as_string(), content[0].at("signature").as_string()));

    anthropic::EventStream stream(reply, {"msg_t", "c"});
    std::size_t tokens = 0;
    std::string thinking, signature;
    for (const auto &ev : parse_sse(drain(stream, tokens))) {
        const auto data = json::parse(ev.data).as_object();
        if (ev.event != "content_block_delta") continue;
        const auto &delta = data.at("delta").as_object();
        if (delta.at("type") == "thinking_delta") thinking += delta.at("thinking").as_string().c_str();
        if (delta.at("type") == "signature_delta") signature += delta.at("signature").as_string().c_str();
        if (delta.at("type") == "input_json_delta") BOOST_TEST(data.at("index") == 2);
    }
    BOOST_TEST(thinking == content[0].at("thinking").as_string().c_str());
    BOOST_TEST(signature == content[0].at("signature").as_string().c_str());

    const auto next_turn = [&](const json::array &assistant) {
        json::object body{{"model", "c"}, {"max_tokens", 3000},
                          {"thinking", json::object{{"type", "enabled"}, {"budget_tokens", 2048}}},
                          {"tools", json::array{json::object{{"name", "get_weather"}, {"input_schema", json::object{{"type", "object"}}}}}},
                          {"messages", json::array{json::object{{"role", "user"}, {"content", "call tool get_weather"}},
                                                   json::object{{"role", "assistant"}, {"content", assistant}},
                                                   json::object{{"role", "user"}, {"content", json::array{json::object{
                                                       {"type", "tool_result"}, {"tool_use_id", content[2].at("id")}, {"content", "sunny"}}}}}}}};
        return anthropic::parse_messages_request(json::serialize(body), e);
    };
    BOOST_TEST(next_turn(content).has_value(), e.message);

    json::array altered = content;
    altered[0].as_object()["thinking"] = "I changed my mind.";
    BOOST_TEST(!next_turn(altered).has_value());
    BOOST_TEST(e.message.find("Invalid `signature`") != std::string::npos, e.message);

    json::array bad_redacted = content;
    bad_redacted[1].as_object()["data"] = "not what the simulator sent";
    BOOST_TEST(!next_turn(bad_redacted).has_value());

    BOOST_TEST(!next_turn(json::array{content[2]}).has_value()); // the thinking dropped
    BOOST_TEST(e.message.find("must start with a thinking block") != std::string::npos, e.message);
}
