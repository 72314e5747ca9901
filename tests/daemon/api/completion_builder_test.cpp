#define BOOST_TEST_MODULE api_completion_builder
#include <boost/test/unit_test.hpp>

#include "daemon/api/completion_builder.hpp"
#include "tests/daemon/api/events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <initializer_list>
#include <string>

namespace api = helix::api;
namespace json = boost::json;
using namespace helix::api::test;

namespace {

constexpr std::int64_t kCreated = 1741569952;

json::object build(std::initializer_list<helix_event> events, std::string fallback = "chatcmpl-local") {
    api::CompletionBuilder builder(std::move(fallback), kCreated, "openai/gpt-4o");
    for (const helix_event &e : events) builder.add(e);
    // What goes on the wire parses back to what to_json() gave.
    const json::value parsed = json::parse(builder.build());
    BOOST_TEST_REQUIRE(parsed.is_object());
    BOOST_TEST(parsed == json::value(builder.to_json()));
    return parsed.as_object();
}

const json::object &choice(const json::object &response, std::size_t i) {
    const json::array &choices = response.at("choices").as_array();
    BOOST_TEST_REQUIRE(i < choices.size());
    return choices[i].as_object();
}

const json::object &message(const json::object &response, std::size_t i) {
    return choice(response, i).at("message").as_object();
}

} // namespace

BOOST_AUTO_TEST_CASE(text_reply_has_openai_shape) {
    const json::object r = build({start("chatcmpl-upstream", "gpt-4o-2024-08-06"), text("Hel"), text("lo"),
                                  finish(HELIX_FINISH_STOP), usage(19, 10, 4)});
    BOOST_TEST(r.at("id") == "chatcmpl-upstream");
    BOOST_TEST(r.at("object") == "chat.completion");
    BOOST_TEST(r.at("created") == kCreated);
    BOOST_TEST(r.at("model") == "openai/gpt-4o"); // the client's name, not the upstream's
    BOOST_TEST(r.at("choices").as_array().size() == 1U);
    const json::object &c = choice(r, 0);
    BOOST_TEST(c.at("index") == 0);
    BOOST_TEST(c.at("logprobs").is_null());
    BOOST_TEST(c.at("finish_reason") == "stop");
    const json::object &m = message(r, 0);
    BOOST_TEST(m.at("role") == "assistant");
    BOOST_TEST(m.at("content") == "Hello");
    BOOST_TEST(m.at("refusal").is_null());
    BOOST_TEST(!m.contains("tool_calls"));
    const json::object &u = r.at("usage").as_object();
    BOOST_TEST(u.at("prompt_tokens") == 19);
    BOOST_TEST(u.at("completion_tokens") == 10);
    BOOST_TEST(u.at("total_tokens") == 29);
    BOOST_TEST(u.at("prompt_tokens_details").at("cached_tokens") == 4);
    BOOST_TEST(!r.contains("system_fingerprint"));
    BOOST_TEST(r.size() == 6U); // id object created model choices usage
}

BOOST_AUTO_TEST_CASE(accessors_report_id_served_model_and_usage) {
    api::CompletionBuilder b("chatcmpl-local", kCreated, "openai/gpt-4o");
    BOOST_TEST(b.id() == "chatcmpl-local");
    BOOST_TEST(!b.usage().reported);
    b.add(start("resp-1", "gpt-4o-2024-08-06"));
    b.add(usage(1, 2, 0));
    b.add(usage(7, 8, 3)); // the last one wins
    BOOST_TEST(b.id() == "resp-1");
    BOOST_TEST(b.served_model() == "gpt-4o-2024-08-06");
    BOOST_TEST(b.usage().reported);
    BOOST_TEST(b.usage().prompt_tokens == 7);
    BOOST_TEST(b.usage().completion_tokens == 8);
    BOOST_TEST(b.usage().cached_tokens == 3);
    const json::object r = b.to_json();
    BOOST_TEST(r.at("usage").at("total_tokens") == 15);
}

BOOST_AUTO_TEST_CASE(fallback_id_and_zero_usage_when_upstream_gave_none) {
    const json::object r = build({start(""), text("x")}, "chatcmpl-abc123");
    BOOST_TEST(r.at("id") == "chatcmpl-abc123");
    BOOST_TEST(r.at("usage").at("prompt_tokens") == 0);
    BOOST_TEST(r.at("usage").at("total_tokens") == 0);
    // No FINISH: the answer ended normally.
    BOOST_TEST(choice(r, 0).at("finish_reason") == "stop");
}

BOOST_AUTO_TEST_CASE(no_events_still_gives_one_empty_choice) {
    const json::object r = build({});
    BOOST_TEST_REQUIRE(r.at("choices").as_array().size() == 1U);
    BOOST_TEST(message(r, 0).at("content") == "");
    BOOST_TEST(choice(r, 0).at("finish_reason") == "stop");
    BOOST_TEST(r.at("id") == "chatcmpl-local");
}

BOOST_AUTO_TEST_CASE(two_parallel_tool_calls_interleaved) {
    const json::object r = build({start("resp-1"), tool(0, "call_a", "get_weather", ""), tool(1, "call_b", "get_time", "{\"tz\""),
                                  args(0, "{\"city\":"), args(1, ":\"CET\"}"), args(0, "\"Paris\"}"),
                                  finish(HELIX_FINISH_STOP)});
    const json::object &m = message(r, 0);
    BOOST_TEST(m.at("content").is_null()); // only tool calls
    const json::array &calls = m.at("tool_calls").as_array();
    BOOST_TEST_REQUIRE(calls.size() == 2U);
    BOOST_TEST(calls[0].at("id") == "call_a");
    BOOST_TEST(calls[0].at("type") == "function");
    BOOST_TEST(calls[0].at("function").at("name") == "get_weather");
    BOOST_TEST(calls[0].at("function").at("arguments") == "{\"city\":\"Paris\"}");
    BOOST_TEST(calls[1].at("id") == "call_b");
    BOOST_TEST(calls[1].at("function").at("name") == "get_time");
    BOOST_TEST(calls[1].at("function").at("arguments") == "{\"tz\":\"CET\"}");
    BOOST_TEST(choice(r, 0).at("finish_reason") == "tool_calls"); // STOP with tool calls
}

BOOST_AUTO_TEST_CASE(tool_calls_are_ordered_by_tool_index) {
    const json::object r = build({tool(2, "c2", "f2", "{}"), tool(0, "c0", "f0", "{}"), tool(1, "c1", "f1", "{}")});
    const json::array &calls = message(r, 0).at("tool_calls").as_array();
    BOOST_TEST_REQUIRE(calls.size() == 3U);
    BOOST_TEST(calls[0].at("id") == "c0");
    BOOST_TEST(calls[1].at("id") == "c1");
    BOOST_TEST(calls[2].at("id") == "c2");
    BOOST_TEST(choice(r, 0).at("finish_reason") == "tool_calls"); // never finished, made calls
}

BOOST_AUTO_TEST_CASE(tool_call_without_id_gets_a_deterministic_one) {
    const json::object r = build({start("resp-xyz"), tool(0, "", "f", "{}"), tool(1, "", "g", "{}")});
    const json::array &calls = message(r, 0).at("tool_calls").as_array();
    BOOST_TEST_REQUIRE(calls.size() == 2U);
    const std::string id0(calls[0].at("id").as_string());
    const std::string id1(calls[1].at("id").as_string());
    BOOST_TEST(id0 == api::detail::synthesize_tool_call_id("resp-xyz", 0, 0));
    BOOST_TEST(id1 == api::detail::synthesize_tool_call_id("resp-xyz", 0, 1));
    BOOST_TEST(id0.rfind("call_", 0) == 0U);
    BOOST_TEST(id0 != id1);
}

BOOST_AUTO_TEST_CASE(first_delta_fixes_the_id_and_a_late_name_fills_in) {
    const json::object r = build({tool(0, "call_first", "", "{"), tool(0, "call_other", "late_name", "}"),
                                  tool(0, "", "ignored_name", "")});
    const json::array &calls = message(r, 0).at("tool_calls").as_array();
    BOOST_TEST_REQUIRE(calls.size() == 1U);
    BOOST_TEST(calls[0].at("id") == "call_first");
    BOOST_TEST(calls[0].at("function").at("name") == "late_name");
    BOOST_TEST(calls[0].at("function").at("arguments") == "{}");
}

BOOST_AUTO_TEST_CASE(text_and_tool_calls_together) {
    const json::object r = build({text("Let me check."), tool(0, "c", "f", "{}"), finish(HELIX_FINISH_TOOL_CALLS)});
    BOOST_TEST(message(r, 0).at("content") == "Let me check.");
    BOOST_TEST(message(r, 0).at("tool_calls").as_array().size() == 1U);
    BOOST_TEST(choice(r, 0).at("finish_reason") == "tool_calls");
    // An empty text delta still makes the content a string.
    const json::object e = build({text(""), tool(0, "c", "f", "{}")});
    BOOST_TEST(message(e, 0).at("content") == "");
}

BOOST_AUTO_TEST_CASE(finish_reasons) {
    const std::pair<helix_finish_reason, const char *> plain[] = {
        {HELIX_FINISH_NONE, "stop"},
        {HELIX_FINISH_STOP, "stop"},
        {HELIX_FINISH_LENGTH, "length"},
        {HELIX_FINISH_TOOL_CALLS, "tool_calls"},
        {HELIX_FINISH_CONTENT_FILTER, "content_filter"},
        {static_cast<helix_finish_reason>(7), "stop"},
    };
    for (const auto &[reason, name] : plain) {
        BOOST_TEST_CONTEXT(name) { BOOST_TEST(choice(build({text("x"), finish(reason)}), 0).at("finish_reason") == name); }
    }
    // With tool calls, a length or content filter stop keeps its reason.
    BOOST_TEST(choice(build({tool(0, "c", "f", "{"), finish(HELIX_FINISH_LENGTH)}), 0).at("finish_reason") == "length");
    BOOST_TEST(choice(build({tool(0, "c", "f", "{"), finish(HELIX_FINISH_CONTENT_FILTER)}), 0).at("finish_reason") ==
               "content_filter");
    // The first FINISH of a choice counts.
    BOOST_TEST(choice(build({text("x"), finish(HELIX_FINISH_LENGTH), finish(HELIX_FINISH_STOP)}), 0)
                   .at("finish_reason") == "length");
}

BOOST_AUTO_TEST_CASE(several_choices_are_ordered_by_index) {
    const json::object r = build({text("B1", 1), text("A1", 0), text("B2", 1), tool(0, "c", "f", "{}", 2),
                                  finish(HELIX_FINISH_STOP, 1), finish(HELIX_FINISH_LENGTH, 0)});
    const json::array &choices = r.at("choices").as_array();
    BOOST_TEST_REQUIRE(choices.size() == 3U);
    BOOST_TEST(choices[0].at("index") == 0);
    BOOST_TEST(choices[0].at("message").at("content") == "A1");
    BOOST_TEST(choices[0].at("finish_reason") == "length");
    BOOST_TEST(choices[1].at("index") == 1);
    BOOST_TEST(choices[1].at("message").at("content") == "B1B2");
    BOOST_TEST(choices[1].at("finish_reason") == "stop");
    BOOST_TEST(choices[2].at("index") == 2);
    BOOST_TEST(choices[2].at("message").at("content").is_null());
    BOOST_TEST(choices[2].at("finish_reason") == "tool_calls");
}

BOOST_AUTO_TEST_CASE(extra_members_go_to_choice_or_response) {
    const json::object r = build({
        extra("prompt_filter_results", R"([{"prompt_index":0,"content_filter_results":{}}])"),
        text("hi"),
        extra("content_filter_results", R"({"hate":{"filtered":false,"severity":"safe"}})"),
        extra("content_filter_results", R"({"hate":{"filtered":true,"severity":"high"}})", 1), // a second choice
        extra("system_fingerprint", R"("fp_123")"),
        extra("response.x_provider_note", R"({"a":1})"),
        extra("custom_choice_member", "[1,2]"),
        // ignored: owned members, bad JSON, empty name, non-string fingerprint
        extra("response.id", R"("evil")"), extra("response.model", R"("evil")"), extra("message", "{}"),
        extra("finish_reason", R"("evil")"), extra("response.usage", "{}"), extra("broken", "{nope"),
        extra("", "1"), extra("response.", "1"), extra("response.service_tier", R"("default")"),
        extra("too_big", "1e400"),
    });
    BOOST_TEST(r.at("prompt_filter_results") ==
               json::parse(R"([{"prompt_index":0,"content_filter_results":{}}])"));
    BOOST_TEST(r.at("system_fingerprint") == "fp_123");
    BOOST_TEST(r.at("x_provider_note") == json::parse(R"({"a":1})"));
    BOOST_TEST(r.at("service_tier") == "default");
    BOOST_TEST(r.at("id") == "chatcmpl-local");
    BOOST_TEST(r.at("model") == "openai/gpt-4o");
    BOOST_TEST(r.at("usage").at("total_tokens") == 0);
    const json::object &c0 = choice(r, 0);
    BOOST_TEST(c0.at("content_filter_results") == json::parse(R"({"hate":{"filtered":false,"severity":"safe"}})"));
    BOOST_TEST(c0.at("custom_choice_member") == json::parse("[1,2]"));
    BOOST_TEST(c0.at("message").at("content") == "hi");
    BOOST_TEST(c0.at("finish_reason") == "stop");
    BOOST_TEST(!c0.contains("broken"));
    BOOST_TEST(!c0.contains("too_big"));
    BOOST_TEST(!c0.contains("id"));
    const json::object &c1 = choice(r, 1);
    BOOST_TEST(c1.at("content_filter_results").at("hate").at("filtered") == true);
    BOOST_TEST(c1.at("message").at("content") == "");
    // A non-string system_fingerprint is dropped.
    BOOST_TEST(!build({extra("system_fingerprint", "5")}).contains("system_fingerprint"));
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_repaired) {
    // "€" is E2 82 AC, split across three deltas; FF is never valid.
    const json::object r = build({text("price: \xE2"), text("\x82"), text("\xAC 5 \xFF!"), finish(HELIX_FINISH_STOP)});
    BOOST_TEST(message(r, 0).at("content") == "price: \xE2\x82\xAC 5 \xEF\xBF\xBD!");
    // An incomplete character at the very end becomes U+FFFD too.
    const json::object t = build({text("end \xF0\x9F\x98")});
    BOOST_TEST(message(t, 0).at("content") == "end \xEF\xBF\xBD");
    const json::object a = build({tool(0, "id\xC3", "n\xFF", "{\"q\":\"\xC3"), args(0, "\xA9\"}")});
    const json::value &call = message(a, 0).at("tool_calls").at(0);
    BOOST_TEST(call.at("function").at("arguments") == "{\"q\":\"\xC3\xA9\"}");
    BOOST_TEST(call.at("function").at("name") == "n\xEF\xBF\xBD");
    BOOST_TEST(call.at("id") == "id\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(hostile_events_are_ignored_safely) {
    helix_event null_text = text("");
    null_text.text = helix_str{nullptr, 12}; // NULL data with a length: read as empty
    helix_event unknown = event(static_cast<helix_event_type>(7));
    const json::object r = build({null_text, unknown, text("far", api::kMaxChoices), text("far", 4'000'000'000U),
                                  finish(HELIX_FINISH_STOP, api::kMaxChoices), text("ok", api::kMaxChoices - 1)});
    const json::array &choices = r.at("choices").as_array();
    BOOST_TEST_REQUIRE(choices.size() == 2U);
    BOOST_TEST(choices[0].at("message").at("content") == "");
    BOOST_TEST(choices[1].at("index") == api::kMaxChoices - 1);
    BOOST_TEST(choices[1].at("message").at("content") == "ok");
}
