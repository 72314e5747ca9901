#define BOOST_TEST_MODULE api_messages_request
#include <boost/test/unit_test.hpp>

#include "daemon/api/anthropic_error_body.hpp"
#include "daemon/api/messages_request.hpp"

#include <helixagent/plugin_abi.h>

#include <boost/json.hpp>

using namespace helix::api;

namespace {

const std::string kMessages = R"("messages":[{"role":"user","content":"Hi"}])";

std::string body(const std::string &members) { return "{" + members + "}"; }

ApiError error_of(const std::string &text, bool count = false) {
    auto r = parse_messages_request(text, count);
    BOOST_TEST_REQUIRE(std::holds_alternative<ApiError>(r), text);
    return std::get<ApiError>(r);
}

MessagesRequest ok(const std::string &text, bool count = false) {
    auto r = parse_messages_request(text, count);
    if (auto *e = std::get_if<ApiError>(&r)) BOOST_FAIL(text + " -> " + e->param + ": " + e->message);
    return std::move(std::get<MessagesRequest>(r));
}

} // namespace

BOOST_AUTO_TEST_CASE(a_full_request_is_accepted_and_kept_as_sent) {
    const std::string text = body(
        R"("model":"anthropic/claude-sonnet-4-20250514","max_tokens":1024,"stream":true,"temperature":0.5,"top_k":5,)"
        R"("system":[{"type":"text","text":"terse","cache_control":{"type":"ephemeral"}}],"stop_sequences":["END"],)"
        R"("thinking":{"type":"enabled","budget_tokens":2048},"tool_choice":{"type":"tool","name":"f"},)"
        R"("tools":[{"name":"f","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search"}],)"
        R"("messages":[{"role":"user","content":[{"type":"text","text":"x"},)"
        R"({"type":"image","source":{"type":"url","url":"https://example.com/a.png"}},)"
        R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBE"}}]},)"
        R"({"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s=="},)"
        R"({"type":"redacted_thinking","data":"d"},{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},)"
        R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"r"}]},)"
        R"({"type":"search_result_from_the_future","x":1}]}],"x_unknown_member":true)");
    const MessagesRequest r = ok(text);
    BOOST_TEST(r.model() == "anthropic/claude-sonnet-4-20250514");
    BOOST_TEST(r.stream());
    BOOST_TEST(r.body() == text);
    BOOST_TEST((r.required_capabilities() & HELIX_MODEL_TOOLS) != 0);
    BOOST_TEST((r.required_capabilities() & HELIX_MODEL_VISION) != 0);
    BOOST_TEST((r.required_capabilities() & HELIX_MODEL_STREAMING) != 0);
}

BOOST_AUTO_TEST_CASE(each_mistake_names_its_field) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {body(R"("max_tokens":5,)" + kMessages), "model"},
        {body(R"("model":"m",)" + kMessages), "max_tokens"},
        {body(R"("model":"m","max_tokens":0,)" + kMessages), "max_tokens"},
        {body(R"("model":"m","max_tokens":5,"messages":[])"), "messages"},
        {body(R"("model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}])"), "messages[0].role"},
        {body(R"("model":"m","max_tokens":5,"messages":[{"role":"user"}])"), "messages[0].content"},
        {body(R"("model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image"}]}])"),
         "messages[0].content[0].source"},
        {body(R"("model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]}])"),
         "messages[0].content[0].type"},
        {body(R"("model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t"}]}])"),
         "messages[0].content[0].signature"},
        {body(R"("model":"m","max_tokens":5,"stream":"yes",)" + kMessages), "stream"},
        {body(R"("model":"m","max_tokens":5,"temperature":3,)" + kMessages), "temperature"},
        {body(R"("model":"m","max_tokens":5,"thinking":{"type":"enabled","budget_tokens":10},)" + kMessages),
         "thinking.budget_tokens"},
        {body(R"("model":"m","max_tokens":5,"tool_choice":{"type":"maybe"},)" + kMessages), "tool_choice.type"},
        {body(R"("model":"m","max_tokens":5,"tools":[{"name":"f"}],)" + kMessages), "tools[0].input_schema"},
        {body(R"("model":"m","max_tokens":5,"system":[{"type":"image"}],)" + kMessages), "system[0].type"},
    };
    for (const auto &[text, param] : cases) {
        const ApiError e = error_of(text);
        BOOST_TEST(e.status == 400, text);
        BOOST_TEST(e.param == param, text << " -> " << e.param << ": " << e.message);
    }
    BOOST_TEST(error_of("not json").status == 400);
    BOOST_TEST(error_of("[1]").status == 400);
}

BOOST_AUTO_TEST_CASE(count_tokens_needs_no_max_tokens) {
    const MessagesRequest r = ok(body(R"("model":"m",)" + kMessages), true);
    BOOST_TEST(r.count_tokens());
    BOOST_TEST(!r.stream());
    BOOST_TEST(error_of(body(kMessages), true).param == "model");
}

BOOST_AUTO_TEST_CASE(anthropic_error_bodies_put_the_field_first_in_dotted_form) {
    ApiError e;
    e.status = 400;
    e.param = "messages[1].content[0].type";
    e.message = "Invalid value.";
    const boost::json::value v = boost::json::parse(anthropic_error_body(e));
    BOOST_TEST(v.at("type").as_string() == "error");
    BOOST_TEST(v.at("error").at("type").as_string() == "invalid_request_error");
    BOOST_TEST(v.at("error").at("message").as_string() == "messages.1.content.0.type: Invalid value.");
    BOOST_TEST(anthropic_error_type(401) == "authentication_error");
    BOOST_TEST(anthropic_error_type(403) == "permission_error");
    BOOST_TEST(anthropic_error_type(404) == "not_found_error");
    BOOST_TEST(anthropic_error_type(413) == "request_too_large");
    BOOST_TEST(anthropic_error_type(429) == "rate_limit_error");
    BOOST_TEST(anthropic_error_type(503) == "overloaded_error");
    BOOST_TEST(anthropic_error_type(502) == "api_error");
}

BOOST_AUTO_TEST_CASE(a_wrong_cache_control_names_its_field) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {body(R"("model":"m","max_tokens":5,"system":[{"type":"text","text":"s","cache_control":{"type":"forever"}}],)" + kMessages),
         "system[0].cache_control.type"},
        {body(R"("model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"t","cache_control":{"type":"ephemeral","ttl":"1d"}}]}])"),
         "messages[0].content[0].cache_control.ttl"},
        {body(R"("model":"m","max_tokens":5,"tools":[{"name":"f","input_schema":{},"cache_control":[]}],)" + kMessages),
         "tools[0].cache_control"},
    };
    for (const auto &[text, param] : cases) {
        const ApiError e = error_of(text);
        BOOST_TEST(e.status == 400, text);
        BOOST_TEST(e.param == param, text << " -> " << e.param << ": " << e.message);
    }
    ok(body(R"("model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"t","cache_control":{"type":"ephemeral","ttl":"1h"}}]}])"));
}
