#define BOOST_TEST_MODULE api_chunk_builder
#include <boost/test/unit_test.hpp>

#include "daemon/api/chunk_builder.hpp"
#include "daemon/api/completion_builder.hpp"
#include "daemon/api/sse_frame.hpp"
#include "tests/daemon/api/events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <vector>

namespace api = helix::api;
namespace json = boost::json;
using namespace helix::api::test;

namespace {

constexpr std::int64_t kCreated = 1741569952;
const std::string kModel = "openai/gpt-4o";

struct Stream {
    std::vector<json::object> chunks;
    std::vector<std::string> raw;
};

// Runs the events through a ChunkBuilder (then finish()) and parses every chunk.
Stream stream(const std::vector<helix_event> &events, bool include_usage = true,
              std::string fallback = "chatcmpl-local") {
    api::ChunkBuilder builder(std::move(fallback), kCreated, kModel, include_usage);
    Stream s;
    for (const helix_event &e : events) builder.add(e, s.raw);
    const std::size_t closing = builder.finish(s.raw);
    BOOST_TEST(builder.finish().empty()); // only once
    BOOST_TEST(builder.add(text("late")).empty());
    BOOST_TEST(builder.finished());
    BOOST_TEST(builder.chunks_produced() == s.raw.size());
    (void)closing;
    for (const std::string &chunk : s.raw) {
        const json::value v = json::parse(chunk);
        BOOST_TEST_REQUIRE(v.is_object(), chunk);
        s.chunks.push_back(v.as_object());
    }
    return s;
}

const json::object &only_choice(const json::object &chunk) {
    const json::array &choices = chunk.at("choices").as_array();
    BOOST_TEST_REQUIRE(choices.size() == 1U, json::serialize(chunk));
    return choices[0].as_object();
}

const json::object &delta(const json::object &chunk) { return only_choice(chunk).at("delta").as_object(); }

// What a client (openai-node's ChatCompletionStream) builds from the chunks,
// in chat.completion's shape: per choice, content concatenated (null if no
// chunk had a string content), tool calls per index (id and name from their
// fragments, arguments concatenated), the finish_reason.
json::object reassemble(const Stream &s) {
    struct Call {
        json::value id;
        std::string name;
        std::string arguments;
    };
    struct Choice {
        bool has_content = false;
        std::string content;
        std::map<std::int64_t, Call> calls;
        json::value finish_reason;
    };
    std::map<std::int64_t, Choice> choices;
    json::value usage;
    std::string id;
    for (const json::object &chunk : s.chunks) {
        if (id.empty()) id = std::string(chunk.at("id").as_string());
        if (const json::value *u = chunk.if_contains("usage"); u != nullptr && !u->is_null()) usage = *u;
        for (const json::value &cv : chunk.at("choices").as_array()) {
            Choice &c = choices[cv.at("index").as_int64()];
            const json::object &d = cv.at("delta").as_object();
            if (const json::value *content = d.if_contains("content"); content != nullptr && content->is_string()) {
                c.has_content = true;
                c.content += content->as_string();
            }
            if (const json::value *calls = d.if_contains("tool_calls")) {
                for (const json::value &f : calls->as_array()) {
                    Call &call = c.calls[f.at("index").as_int64()];
                    if (const json::value *fid = f.as_object().if_contains("id")) call.id = *fid;
                    const json::object &fn = f.at("function").as_object();
                    if (const json::value *n = fn.if_contains("name")) call.name += n->as_string();
                    if (const json::value *a = fn.if_contains("arguments")) call.arguments += a->as_string();
                }
            }
            if (!cv.at("finish_reason").is_null()) c.finish_reason = cv.at("finish_reason");
        }
    }
    json::object result;
    result["id"] = id;
    json::array out;
    for (const auto &[index, c] : choices) {
        json::object message;
        message["role"] = "assistant";
        message["content"] = c.has_content ? json::value(c.content) : json::value(nullptr);
        if (!c.calls.empty()) {
            json::array calls;
            for (const auto &[tool_index, call] : c.calls) {
                calls.push_back(json::object{{"id", call.id},
                                             {"type", "function"},
                                             {"function", json::object{{"name", call.name},
                                                                       {"arguments", call.arguments}}}});
            }
            message["tool_calls"] = std::move(calls);
        }
        out.push_back(json::object{{"index", index}, {"message", std::move(message)},
                                   {"finish_reason", c.finish_reason}});
    }
    result["choices"] = std::move(out);
    result["usage"] = usage;
    return result;
}

// The same events through CompletionBuilder, reduced to what reassemble() gives.
json::object non_streamed(const std::vector<helix_event> &events, std::string fallback = "chatcmpl-local") {
    api::CompletionBuilder builder(std::move(fallback), kCreated, kModel);
    for (const helix_event &e : events) builder.add(e);
    const json::value full = json::parse(builder.build());
    json::object result;
    result["id"] = full.at("id");
    json::array out;
    for (const json::value &c : full.at("choices").as_array()) {
        json::object message = c.at("message").as_object();
        message.erase("refusal");
        out.push_back(json::object{{"index", c.at("index")}, {"message", std::move(message)},
                                   {"finish_reason", c.at("finish_reason")}});
    }
    result["choices"] = std::move(out);
    result["usage"] = full.at("usage");
    return result;
}

void expect_same_answer(const std::vector<helix_event> &events) {
    const json::object streamed = reassemble(stream(events));
    const json::object whole = non_streamed(events);
    BOOST_TEST(json::serialize(streamed) == json::serialize(whole));
}

void expect_common_fields(const Stream &s, const std::string &id, bool include_usage) {
    for (const json::object &chunk : s.chunks) {
        BOOST_TEST(chunk.at("id") == json::value(id));
        BOOST_TEST(chunk.at("object") == "chat.completion.chunk");
        BOOST_TEST(chunk.at("created") == kCreated);
        BOOST_TEST(chunk.at("model") == json::value(kModel));
        BOOST_TEST(chunk.contains("usage") == include_usage);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(text_stream_in_openai_shape) {
    const Stream s = stream({start("chatcmpl-up", "gpt-4o-2024-08-06"), text("Hel"), text("lo"),
                             finish(HELIX_FINISH_STOP), usage(19, 10, 2)});
    BOOST_TEST_REQUIRE(s.chunks.size() == 5U);
    expect_common_fields(s, "chatcmpl-up", true);

    // 1: the role chunk
    const json::object &first = only_choice(s.chunks[0]);
    BOOST_TEST(first.at("index") == 0);
    BOOST_TEST(first.at("delta") == json::parse(R"({"role":"assistant","content":"","refusal":null})"));
    BOOST_TEST(first.at("logprobs").is_null());
    BOOST_TEST(first.at("finish_reason").is_null());
    BOOST_TEST(s.chunks[0].at("usage").is_null());
    // 2, 3: content
    BOOST_TEST(delta(s.chunks[1]) == json::parse(R"({"content":"Hel"})"));
    BOOST_TEST(delta(s.chunks[2]) == json::parse(R"({"content":"lo"})"));
    BOOST_TEST(only_choice(s.chunks[2]).at("finish_reason").is_null());
    // 4: finish
    BOOST_TEST(delta(s.chunks[3]).empty());
    BOOST_TEST(only_choice(s.chunks[3]).at("finish_reason") == "stop");
    BOOST_TEST(s.chunks[3].at("usage").is_null());
    // 5: usage, last
    BOOST_TEST(s.chunks[4].at("choices").as_array().empty());
    BOOST_TEST(s.chunks[4].at("usage") ==
               json::parse(R"({"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,)"
                           R"("prompt_tokens_details":{"cached_tokens":2}})"));
    // Member order as OpenAI writes it.
    BOOST_TEST(s.raw[1] == R"({"id":"chatcmpl-up","object":"chat.completion.chunk","created":1741569952,)"
                           R"("model":"openai/gpt-4o","choices":[{"index":0,"delta":{"content":"Hel"},)"
                           R"("logprobs":null,"finish_reason":null}],"usage":null})");
}

BOOST_AUTO_TEST_CASE(without_include_usage_there_is_no_usage_at_all) {
    const Stream s = stream({text("a"), finish(HELIX_FINISH_STOP), usage(1, 2)}, false);
    BOOST_TEST_REQUIRE(s.chunks.size() == 3U);
    expect_common_fields(s, "chatcmpl-local", false);
    BOOST_TEST(only_choice(s.chunks[2]).at("finish_reason") == "stop");
}

BOOST_AUTO_TEST_CASE(usage_chunk_has_zeros_when_upstream_reported_none) {
    const Stream s = stream({text("a")});
    BOOST_TEST(s.chunks.back().at("choices").as_array().empty());
    BOOST_TEST(s.chunks.back().at("usage").at("total_tokens") == 0);
}

BOOST_AUTO_TEST_CASE(two_parallel_tool_calls_interleaved) {
    const std::vector<helix_event> events = {
        start("resp-1"),
        tool(0, "call_a", "get_weather", ""),
        tool(1, "call_b", "get_time", "{\"tz\""),
        args(0, "{\"city\":"),
        args(1, ":\"CET\"}"),
        args(0, "\"Paris\"}"),
        args(0, ""), // nothing new: no chunk
        finish(HELIX_FINISH_STOP),
        usage(5, 6),
    };
    const Stream s = stream(events);
    BOOST_TEST_REQUIRE(s.chunks.size() == 8U);
    expect_common_fields(s, "resp-1", true);
    // The role chunk of a choice that starts with a tool call has null content.
    BOOST_TEST(delta(s.chunks[0]) == json::parse(R"({"role":"assistant","content":null,"refusal":null})"));
    BOOST_TEST(delta(s.chunks[1]) ==
               json::parse(R"({"tool_calls":[{"index":0,"id":"call_a","type":"function",)"
                           R"("function":{"name":"get_weather","arguments":""}}]})"));
    BOOST_TEST(delta(s.chunks[2]) ==
               json::parse(R"({"tool_calls":[{"index":1,"id":"call_b","type":"function",)"
                           R"("function":{"name":"get_time","arguments":"{\"tz\""}}]})"));
    BOOST_TEST(delta(s.chunks[3]) == json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]})"));
    BOOST_TEST(delta(s.chunks[4]) == json::parse(R"({"tool_calls":[{"index":1,"function":{"arguments":":\"CET\"}"}}]})"));
    BOOST_TEST(delta(s.chunks[5]) == json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]})"));
    BOOST_TEST(only_choice(s.chunks[6]).at("finish_reason") == "tool_calls");
    BOOST_TEST(s.chunks[7].at("usage").at("total_tokens") == 11);

    const json::object whole = non_streamed(events);
    const json::array &calls = whole.at("choices").at(0).at("message").at("tool_calls").as_array();
    BOOST_TEST(calls[0].at("id") == "call_a");
    BOOST_TEST(calls[1].at("id") == "call_b");
    expect_same_answer(events);
}

BOOST_AUTO_TEST_CASE(synthesized_tool_ids_match_the_non_streamed_ones) {
    const std::vector<helix_event> events = {start("resp-777"), tool(0, "", "f", "{}"), tool(1, "", "g", ""),
                                             args(1, "{\"a\":1}"), finish(HELIX_FINISH_TOOL_CALLS)};
    const Stream s = stream(events);
    BOOST_TEST(delta(s.chunks[1]).at("tool_calls").at(0).at("id") ==
               json::value(api::detail::synthesize_tool_call_id("resp-777", 0, 0)));
    BOOST_TEST(delta(s.chunks[2]).at("tool_calls").at(0).at("id") ==
               json::value(api::detail::synthesize_tool_call_id("resp-777", 0, 1)));
    expect_same_answer(events);
}

BOOST_AUTO_TEST_CASE(late_tool_name_is_sent_once) {
    const std::vector<helix_event> events = {tool(0, "c", "", "{"), tool(0, "x", "named", "}"),
                                             tool(0, "", "again", "")};
    const Stream s = stream(events);
    BOOST_TEST_REQUIRE(s.chunks.size() >= 3U);
    BOOST_TEST(delta(s.chunks[1]).at("tool_calls").at(0).at("function").at("name") == "");
    BOOST_TEST(delta(s.chunks[2]) == json::parse(R"({"tool_calls":[{"index":0,"function":{"name":"named","arguments":"}"}}]})"));
    // The third event says nothing new: the next chunk is already the finish.
    BOOST_TEST(only_choice(s.chunks[3]).at("finish_reason") == "tool_calls");
    expect_same_answer(events);
}

BOOST_AUTO_TEST_CASE(streamed_equals_non_streamed) {
    const std::vector<std::vector<helix_event>> cases = {
        {start("r1"), text("Hello"), text(", "), text("world"), finish(HELIX_FINISH_STOP), usage(3, 4, 1)},
        {start("r2"), text("Let me look."), tool(0, "c1", "search", "{\"q\":"), args(0, "\"x\"}"),
         finish(HELIX_FINISH_TOOL_CALLS), usage(1, 1)},
        {start("r3"), tool(0, "c1", "a", "{}"), text("after the call"), finish(HELIX_FINISH_STOP)},
        // n = 2, interleaved, one choice with tools, one cut by length
        {start("r4"), text("A", 0), text("B", 1), tool(0, "", "f", "{\"k\":", 1), text("A2", 0), args(0, "1}", 1),
         finish(HELIX_FINISH_LENGTH, 0), finish(HELIX_FINISH_STOP, 1), usage(10, 20)},
        // no FINISH at all: finish() closes the choice
        {start("r5"), text("unfinished")},
        // nothing at all
        {},
        // only START
        {start("r6")},
        // split UTF-8 and invalid bytes
        {text("caf\xC3"), text("\xA9 \xFF"), tool(0, "c", "f", "{\"e\":\"\xE2\x82"), args(0, "\xAC\"}"),
         finish(HELIX_FINISH_STOP)},
        // incomplete UTF-8 at FINISH
        {text("x\xF0\x9F"), finish(HELIX_FINISH_STOP)},
        // empty text deltas
        {text(""), text("a"), text(""), finish(HELIX_FINISH_STOP)},
        // content filter, duplicate finish
        {text("bad"), finish(HELIX_FINISH_CONTENT_FILTER), finish(HELIX_FINISH_STOP)},
        // extras do not change the answer
        {extra("content_filter_results", "{}"), text("x"), extra("content_filter_results", "{}"),
         extra("prompt_filter_results", "[]"), finish(HELIX_FINISH_STOP)},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        BOOST_TEST_CONTEXT("case " << i) { expect_same_answer(cases[i]); }
    }
}

BOOST_AUTO_TEST_CASE(choices_are_told_apart_by_index) {
    const Stream s = stream({start("r"), text("a", 1), text("b", 0), finish(HELIX_FINISH_STOP, 1),
                             finish(HELIX_FINISH_LENGTH, 0)});
    // role(1) a(1) role(0) b(0) finish(1) finish(0) usage
    BOOST_TEST_REQUIRE(s.chunks.size() == 7U);
    BOOST_TEST(only_choice(s.chunks[0]).at("index") == 1);
    BOOST_TEST(delta(s.chunks[0]).at("role") == "assistant");
    BOOST_TEST(only_choice(s.chunks[1]).at("index") == 1);
    BOOST_TEST(only_choice(s.chunks[2]).at("index") == 0);
    BOOST_TEST(delta(s.chunks[2]).at("role") == "assistant");
    BOOST_TEST(delta(s.chunks[3]).at("content") == "b");
    BOOST_TEST(only_choice(s.chunks[4]).at("finish_reason") == "stop");
    BOOST_TEST(only_choice(s.chunks[5]).at("index") == 0);
    BOOST_TEST(only_choice(s.chunks[5]).at("finish_reason") == "length");
}

BOOST_AUTO_TEST_CASE(finish_closes_open_choices_and_an_empty_stream) {
    const Stream empty = stream({}, false);
    BOOST_TEST_REQUIRE(empty.chunks.size() == 2U);
    BOOST_TEST(delta(empty.chunks[0]).at("role") == "assistant");
    BOOST_TEST(only_choice(empty.chunks[1]).at("finish_reason") == "stop");

    const Stream open = stream({tool(0, "c", "f", "{}")}, false);
    BOOST_TEST_REQUIRE(open.chunks.size() == 3U);
    BOOST_TEST(only_choice(open.chunks[2]).at("finish_reason") == "tool_calls");
}

BOOST_AUTO_TEST_CASE(start_sets_the_id_only_before_the_first_chunk) {
    const Stream s = stream({text("a"), start("late-id"), text("b")});
    expect_common_fields(s, "chatcmpl-local", true);
    api::ChunkBuilder b("chatcmpl-local", kCreated, kModel, false);
    b.add(start("early-id", "gpt-x"));
    BOOST_TEST(b.id() == "early-id");
    BOOST_TEST(b.served_model() == "gpt-x");
    b.add(usage(4, 5, 1));
    BOOST_TEST(b.usage().reported);
    BOOST_TEST(b.usage().completion_tokens == 5);
    BOOST_TEST(b.chunks_produced() == 0U);
}

BOOST_AUTO_TEST_CASE(extras_in_the_stream) {
    const Stream s = stream({
        extra("prompt_filter_results", R"([{"prompt_index":0}])"),
        extra("system_fingerprint", R"("fp_1")"),
        extra("content_filter_results", R"({"early":true})"),
        text("x"),
        extra("content_filter_results", R"({"late":true})"),
        extra("response.id", R"("evil")"),
        extra("delta", R"({"content":"evil"})"),
        finish(HELIX_FINISH_STOP),
    });
    // prompt_filter_results: its own chunk, no choices (as Azure sends it)
    BOOST_TEST_REQUIRE(s.chunks.size() == 6U);
    BOOST_TEST(s.chunks[0].at("choices").as_array().empty());
    BOOST_TEST(s.chunks[0].at("prompt_filter_results") == json::parse(R"([{"prompt_index":0}])"));
    BOOST_TEST(!s.chunks[0].contains("system_fingerprint"));
    // an early choice member rides on the role chunk
    BOOST_TEST(only_choice(s.chunks[1]).at("content_filter_results") == json::parse(R"({"early":true})"));
    BOOST_TEST(delta(s.chunks[1]).at("role") == "assistant");
    BOOST_TEST(delta(s.chunks[2]).at("content") == "x");
    BOOST_TEST(!only_choice(s.chunks[2]).contains("content_filter_results"));
    // a later one gets a chunk with an empty delta
    BOOST_TEST(delta(s.chunks[3]).empty());
    BOOST_TEST(only_choice(s.chunks[3]).at("content_filter_results") == json::parse(R"({"late":true})"));
    BOOST_TEST(only_choice(s.chunks[4]).at("finish_reason") == "stop");
    // system_fingerprint is on every chunk after it arrived
    for (std::size_t i = 1; i < s.chunks.size(); ++i) BOOST_TEST(s.chunks[i].at("system_fingerprint") == "fp_1");
    expect_common_fields(s, "chatcmpl-local", true);
    // an extra for a choice that never produced anything still reaches the client
    const Stream lone = stream({extra("content_filter_results", "{}", 1)}, false);
    BOOST_TEST_REQUIRE(lone.chunks.size() == 2U);
    BOOST_TEST(only_choice(lone.chunks[0]).at("index") == 1);
    BOOST_TEST(only_choice(lone.chunks[0]).contains("content_filter_results"));
    BOOST_TEST(only_choice(lone.chunks[1]).at("finish_reason") == "stop");
}

// The text chunk is written straight into a string (the per-token path):
// byte for byte what the JSON tree of the other chunks would serialize to,
// escapes, UTF-8, a sticky member, an id set by START and usage included.
BOOST_AUTO_TEST_CASE(a_text_chunk_is_exactly_the_serialized_chunk) {
    const std::vector<std::string> texts = {"plain", "a \"quote\" and a \\ backslash", "line\nbreak\ttab\r",
                                            std::string("ctl \x01\x1f end"), "é € 😀", "</script>"};
    for (const bool include_usage : {true, false}) {
        api::ChunkBuilder b("chatcmpl-local", kCreated, kModel, include_usage);
        std::vector<std::string> out;
        b.add(start("resp-1"), out);
        b.add(text("role first"), out); // the role chunk, then this text
        b.add(extra("system_fingerprint", R"("fp_\"1")"), out);
        for (const std::string &t : texts) {
            out.clear();
            b.add(text(t, 0), out);
            BOOST_TEST_REQUIRE(out.size() == 1U);
            json::object delta;
            delta["content"] = t;
            json::object entry;
            entry["index"] = 0;
            entry["delta"] = delta;
            entry["logprobs"] = nullptr;
            entry["finish_reason"] = nullptr;
            json::object expected;
            expected["id"] = "resp-1";
            expected["object"] = "chat.completion.chunk";
            expected["created"] = kCreated;
            expected["model"] = kModel;
            expected["system_fingerprint"] = "fp_\"1";
            expected["choices"] = json::array{entry};
            if (include_usage) expected["usage"] = nullptr;
            BOOST_TEST(out[0] == json::serialize(expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(utf8_is_never_split_or_invalid_in_a_chunk) {
    const Stream s = stream({text("a\xE2"), text("\x82"), text("\xAC"), text("\xF0\x9F"), finish(HELIX_FINISH_STOP)},
                            false);
    // role, "a", "€" (completed by the third delta), U+FFFD (flushed at FINISH), finish
    BOOST_TEST_REQUIRE(s.chunks.size() == 5U);
    BOOST_TEST(delta(s.chunks[1]).at("content") == "a");
    BOOST_TEST(delta(s.chunks[2]).at("content") == "\xE2\x82\xAC");
    BOOST_TEST(delta(s.chunks[3]).at("content") == "\xEF\xBF\xBD");
    BOOST_TEST(only_choice(s.chunks[4]).at("finish_reason") == "stop");
}

BOOST_AUTO_TEST_CASE(hostile_events_are_ignored_safely) {
    helix_event null_args = tool(0, "c", "f", "");
    null_args.tool_arguments = helix_str{nullptr, 99};
    const Stream s = stream({null_args, text("far", api::kMaxChoices), finish(HELIX_FINISH_STOP, 4'000'000'000U),
                             extra("content_filter_results", "{}", api::kMaxChoices),
                             event(static_cast<helix_event_type>(6))},
                            false);
    BOOST_TEST_REQUIRE(s.chunks.size() == 3U); // role, tool call, finish from finish()
    BOOST_TEST(delta(s.chunks[1]).at("tool_calls").at(0).at("function").at("arguments") == "");
}

BOOST_AUTO_TEST_CASE(error_event_and_sse_framing) {
    api::ApiError e;
    e.status = 502;
    e.type = "upstream_error";
    e.message = "upstream \"broke\"";
    e.code = "bad_gateway";
    const std::string ev = api::sse_data(api::error_body(e));
    BOOST_TEST(ev.rfind("data: ", 0) == 0U);
    BOOST_TEST(ev.size() > 8U);
    BOOST_TEST(ev.substr(ev.size() - 2) == "\n\n");
    BOOST_TEST(ev.find('\n') == ev.size() - 2); // one line
    const json::value body = json::parse(ev.substr(6, ev.size() - 8));
    BOOST_TEST(body == json::parse(R"({"error":{"message":"upstream \"broke\"","type":"upstream_error",)"
                                   R"("param":null,"code":"bad_gateway"}})"));
    BOOST_TEST(api::sse_data(R"({"a":1})") == "data: {\"a\":1}\n\n");
    BOOST_TEST(api::kSseDone == "data: [DONE]\n\n");
}
