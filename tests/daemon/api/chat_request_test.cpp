#define BOOST_TEST_MODULE api_chat_request
#include <boost/test/unit_test.hpp>

#include "daemon/api/chat_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace api = helix::api;
namespace json = boost::json;
using api::ApiError;
using api::ChatRequest;

namespace {

std::string_view sv(helix_str s) { return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len); }

ChatRequest ok(std::string body) {
    api::ParseResult result = api::parse_chat_request(std::move(body));
    if (const auto *error = std::get_if<ApiError>(&result)) {
        BOOST_FAIL("expected a valid request, got " << error->status << " param='" << error->param
                                                    << "' code='" << error->code << "': " << error->message);
    }
    return std::move(std::get<ChatRequest>(result));
}

ApiError bad(const std::string &body) {
    api::ParseResult result = api::parse_chat_request(std::string_view(body));
    if (std::holds_alternative<ChatRequest>(result)) BOOST_FAIL("expected an error, the body parsed: " << body);
    return std::get<ApiError>(std::move(result));
}

// A body with one user message and `extra` members added at the top level.
std::string with(std::string_view extra) {
    std::string body = R"({"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}])";
    if (!extra.empty()) {
        body += ',';
        body += extra;
    }
    body += '}';
    return body;
}

// A body whose messages array is `messages`.
std::string msgs(std::string_view messages) {
    return std::string(R"({"model":"m","messages":)") + std::string(messages) + "}";
}

const std::string kTools =
    R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",)"
    R"("parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}},)"
    R"({"type":"function","function":{"name":"noop"}}])";

} // namespace

// --- valid bodies -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_model_name_longer_than_256_bytes_is_refused) {
    const ApiError e = bad(R"({"model":")" + std::string(257, 'm') + R"(","messages":[{"role":"user","content":"hi"}]})");
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.param == "model");
    BOOST_TEST(e.message.find("256 bytes") != std::string::npos, e.message);
    ok(R"({"model":")" + std::string(256, 'm') + R"(","messages":[{"role":"user","content":"hi"}]})");
}

BOOST_AUTO_TEST_CASE(minimal_request_has_defaults) {
    const std::string body = R"({"model":"openai/gpt-4o","messages":[{"role":"user","content":"Hello"}]})";
    const ChatRequest r = ok(body);
    const helix_chat_request &v = r.view();
    BOOST_TEST(v.struct_size == sizeof(helix_chat_request));
    BOOST_TEST(sv(v.model) == "openai/gpt-4o");
    BOOST_TEST(r.model() == "openai/gpt-4o");
    BOOST_TEST(r.upstream_model() == "openai/gpt-4o");
    BOOST_TEST_REQUIRE(v.message_count == 1U);
    const helix_message &m = *v.messages[0];
    BOOST_TEST(m.struct_size == sizeof(helix_message));
    BOOST_TEST(m.role == HELIX_ROLE_USER);
    BOOST_TEST(sv(m.text) == "Hello");
    BOOST_TEST(m.parts == nullptr);
    BOOST_TEST(m.part_count == 0U);
    BOOST_TEST(m.tool_calls == nullptr);
    BOOST_TEST(m.tool_call_count == 0U);
    BOOST_TEST(sv(m.name).empty());
    BOOST_TEST(sv(m.tool_call_id).empty());
    BOOST_TEST(v.tools == nullptr);
    BOOST_TEST(v.tool_count == 0U);
    BOOST_TEST(v.tool_choice == HELIX_TOOL_CHOICE_UNSET);
    BOOST_TEST(v.parallel_tool_calls == -1);
    BOOST_TEST(v.stream == 0);
    BOOST_TEST(v.include_usage == 0);
    BOOST_TEST(v.present == 0U);
    BOOST_TEST(v.stop == nullptr);
    BOOST_TEST(v.stop_count == 0U);
    BOOST_TEST(v.n == 1U);
    BOOST_TEST(v.response_format == HELIX_FORMAT_UNSET);
    BOOST_TEST(sv(v.response_schema_json).empty());
    BOOST_TEST(sv(v.user).empty());
    BOOST_TEST(sv(v.original_body) == body);
    BOOST_TEST(r.body() == body);
    BOOST_TEST(!r.stream());
    BOOST_TEST(!r.include_usage());
    BOOST_TEST(r.n() == 1U);
    BOOST_TEST(r.required_capabilities() == 0U);
}

BOOST_AUTO_TEST_CASE(every_role_with_string_content_and_names) {
    const ChatRequest r = ok(msgs(R"([
        {"role":"system","content":"be brief","name":"sys"},
        {"role":"developer","content":"dev rules"},
        {"role":"user","content":"question","name":"alice"},
        {"role":"assistant","content":"answer"},
        {"role":"tool","tool_call_id":"call_1","content":"42"}])"));
    const helix_chat_request &v = r.view();
    BOOST_TEST_REQUIRE(v.message_count == 5U);
    const helix_role roles[] = {HELIX_ROLE_SYSTEM, HELIX_ROLE_DEVELOPER, HELIX_ROLE_USER, HELIX_ROLE_ASSISTANT,
                                HELIX_ROLE_TOOL};
    const std::string_view texts[] = {"be brief", "dev rules", "question", "answer", "42"};
    for (std::size_t i = 0; i < 5; ++i) {
        BOOST_TEST_CONTEXT("message " << i) {
            BOOST_TEST(v.messages[i]->role == roles[i]);
            BOOST_TEST(sv(v.messages[i]->text) == texts[i]);
            BOOST_TEST(v.messages[i]->parts == nullptr);
        }
    }
    BOOST_TEST(sv(v.messages[0]->name) == "sys");
    BOOST_TEST(sv(v.messages[1]->name).empty());
    BOOST_TEST(sv(v.messages[2]->name) == "alice");
    BOOST_TEST(sv(v.messages[4]->tool_call_id) == "call_1");
    BOOST_TEST((r.required_capabilities() & HELIX_MODEL_TOOLS) != 0U); // a tool message in the history
}

BOOST_AUTO_TEST_CASE(content_parts_text_and_images) {
    const ChatRequest r = ok(msgs(R"([
        {"role":"system","content":[{"type":"text","text":"sys part"}]},
        {"role":"user","content":[
            {"type":"text","text":"What is in these?"},
            {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"high"}},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
            {"type":"image_url","image_url":{"url":"HTTP://example.com/x.jpg","detail":null}}]},
        {"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"tool part"}]}])"));
    const helix_chat_request &v = r.view();
    BOOST_TEST_REQUIRE(v.message_count == 3U);
    BOOST_TEST_REQUIRE(v.messages[0]->part_count == 1U);
    BOOST_TEST(v.messages[0]->parts[0]->struct_size == sizeof(helix_content_part));
    BOOST_TEST(v.messages[0]->parts[0]->type == HELIX_PART_TEXT);
    BOOST_TEST(sv(v.messages[0]->parts[0]->text) == "sys part");
    BOOST_TEST(sv(v.messages[0]->text).empty());

    const helix_message &user = *v.messages[1];
    BOOST_TEST_REQUIRE(user.part_count == 4U);
    BOOST_TEST_REQUIRE(user.parts != nullptr);
    BOOST_TEST(user.parts[0]->type == HELIX_PART_TEXT);
    BOOST_TEST(sv(user.parts[0]->text) == "What is in these?");
    BOOST_TEST(user.parts[1]->type == HELIX_PART_IMAGE_URL);
    BOOST_TEST(sv(user.parts[1]->image_url) == "https://example.com/cat.png");
    BOOST_TEST(sv(user.parts[1]->detail) == "high");
    BOOST_TEST(user.parts[2]->type == HELIX_PART_IMAGE_URL);
    BOOST_TEST(sv(user.parts[2]->image_url) == "data:image/png;base64,iVBORw0KGgo=");
    BOOST_TEST(sv(user.parts[2]->detail).empty());
    BOOST_TEST(sv(user.parts[3]->image_url) == "HTTP://example.com/x.jpg");

    BOOST_TEST_REQUIRE(v.messages[2]->part_count == 1U);
    BOOST_TEST(sv(v.messages[2]->parts[0]->text) == "tool part");
    BOOST_TEST((r.required_capabilities() & HELIX_MODEL_VISION) != 0U);
}

// File parts: a data: URL decoded to its bytes, provider files and URLs by
// their URI, each kind of source as the ABI names it.
BOOST_AUTO_TEST_CASE(file_parts_become_document_parts) {
    const ChatRequest r = ok(msgs(R"([{"role":"user","content":[
        {"type":"text","text":"Summarise these"},
        {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0xLjQK","filename":"report.pdf"}},
        {"type":"file","file":{"file_id":"gs://bucket/a.pdf"}},
        {"type":"file","file":{"file_url":"https://example.com/b.pdf","format":"application/pdf"}},
        {"type":"file","file":{"file_id":"file-abc123"}},
        {"type":"file","file":{"file_url":"https://www.youtube.com/watch?v=abc"}},
        {"type":"file","file":{"file_data":"data:Text/Plain;charset=utf-8;base64,aGk="}}]}])"));
    const helix_message &m = *r.view().messages[0];
    BOOST_TEST_REQUIRE(m.part_count == 7U);
    const helix_content_part &pdf = *m.parts[1];
    BOOST_TEST(pdf.type == HELIX_PART_DOCUMENT);
    BOOST_TEST(pdf.source == HELIX_SOURCE_BYTES);
    BOOST_TEST(sv(pdf.media_type) == "application/pdf");
    BOOST_TEST(std::string_view(reinterpret_cast<const char *>(pdf.data), pdf.data_len) == "%PDF-1.4\n");
    BOOST_TEST(sv(pdf.filename) == "report.pdf");
    BOOST_TEST(m.parts[2]->source == HELIX_SOURCE_FILE_URI);
    BOOST_TEST(sv(m.parts[2]->uri) == "gs://bucket/a.pdf");
    BOOST_TEST(m.parts[3]->source == HELIX_SOURCE_URL);
    BOOST_TEST(sv(m.parts[3]->uri) == "https://example.com/b.pdf");
    BOOST_TEST(sv(m.parts[3]->media_type) == "application/pdf");
    BOOST_TEST(m.parts[4]->source == HELIX_SOURCE_FILE_URI);
    BOOST_TEST(m.parts[5]->source == HELIX_SOURCE_FILE_URI); // YouTube: the provider reads it itself
    BOOST_TEST(sv(m.parts[6]->media_type) == "text/plain");
    BOOST_TEST(std::string_view(reinterpret_cast<const char *>(m.parts[6]->data), m.parts[6]->data_len) == "hi");
    BOOST_TEST((r.required_capabilities() & HELIX_MODEL_DOCUMENTS) != 0U);
}

BOOST_AUTO_TEST_CASE(bad_file_parts_are_named) {
    const auto file = [](std::string_view f) {
        return msgs(std::string(R"([{"role":"user","content":[{"type":"file","file":)") + std::string(f) + "}]}]");
    };
    BOOST_TEST(bad(file("{}")).param == "messages[0].content[0].file");
    BOOST_TEST(bad(file("{}")).code == "missing_required_parameter");
    BOOST_TEST(bad(file(R"({"file_id":"a","file_url":"https://x/y"})")).param == "messages[0].content[0].file");
    BOOST_TEST(bad(file(R"({"file_data":"JVBERi0xLjQK"})")).param == "messages[0].content[0].file.file_data");
    BOOST_TEST(bad(file(R"({"file_data":"data:application/pdf;base64,%%%"})")).param ==
               "messages[0].content[0].file.file_data");
    BOOST_TEST(bad(file(R"({"file_data":"data:pdf;base64,JVBE"})")).param == "messages[0].content[0].file.file_data");
    BOOST_TEST(bad(file(R"({"file_url":"ftp://x/y.pdf"})")).param == "messages[0].content[0].file.file_url");
    BOOST_TEST(bad(file(R"({"file_id":""})")).param == "messages[0].content[0].file.file_id");
    BOOST_TEST(bad(file(R"({"file_id":"f","format":"pdf"})")).param == "messages[0].content[0].file.format");
    // Only a user's message holds files.
    BOOST_TEST(bad(msgs(R"([{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"file","file":{"file_id":"f"}}]}])"))
                   .param == "messages[1].content[0].type");
}

BOOST_AUTO_TEST_CASE(assistant_tool_calls_and_tool_results) {
    const ChatRequest r = ok(msgs(R"([
        {"role":"user","content":"weather in Paris and Rome?"},
        {"role":"assistant","content":null,"tool_calls":[
            {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
            {"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
        {"role":"tool","tool_call_id":"call_a","content":"18C"},
        {"role":"tool","tool_call_id":"call_b","content":"24C"},
        {"role":"assistant","content":"Checking once more.","tool_calls":[
            {"id":"call_c","type":"function","function":{"name":"noop","arguments":""}}]},
        {"role":"assistant","tool_calls":[
            {"id":"call_d","type":"function","function":{"name":"noop","arguments":"{}"}}]}])"));
    const helix_chat_request &v = r.view();
    BOOST_TEST_REQUIRE(v.message_count == 6U);
    const helix_message &a = *v.messages[1];
    BOOST_TEST(a.role == HELIX_ROLE_ASSISTANT);
    BOOST_TEST(sv(a.text).empty());
    BOOST_TEST(a.parts == nullptr);
    BOOST_TEST_REQUIRE(a.tool_call_count == 2U);
    BOOST_TEST(a.tool_calls[0]->struct_size == sizeof(helix_tool_call));
    BOOST_TEST(sv(a.tool_calls[0]->id) == "call_a");
    BOOST_TEST(sv(a.tool_calls[0]->name) == "get_weather");
    BOOST_TEST(sv(a.tool_calls[0]->arguments) == R"({"city":"Paris"})");
    BOOST_TEST(sv(a.tool_calls[1]->id) == "call_b");
    BOOST_TEST(sv(a.tool_calls[1]->arguments) == R"({"city":"Rome"})");
    BOOST_TEST(sv(v.messages[2]->tool_call_id) == "call_a");
    BOOST_TEST(sv(v.messages[3]->tool_call_id) == "call_b");
    BOOST_TEST(sv(v.messages[3]->text) == "24C");
    // Later messages point at their own calls in the shared array.
    BOOST_TEST(sv(v.messages[4]->text) == "Checking once more.");
    BOOST_TEST_REQUIRE(v.messages[4]->tool_call_count == 1U);
    BOOST_TEST(sv(v.messages[4]->tool_calls[0]->id) == "call_c");
    BOOST_TEST(sv(v.messages[4]->tool_calls[0]->arguments).empty());
    BOOST_TEST_REQUIRE(v.messages[5]->tool_call_count == 1U);
    BOOST_TEST(sv(v.messages[5]->tool_calls[0]->id) == "call_d");
    BOOST_TEST(v.messages[0]->tool_calls == nullptr);
    BOOST_TEST((r.required_capabilities() & HELIX_MODEL_TOOLS) != 0U);
}

BOOST_AUTO_TEST_CASE(assistant_refusal_part_is_text) {
    const ChatRequest r = ok(msgs(R"([{"role":"user","content":"x"},
        {"role":"assistant","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"I can't."}]}])"));
    const helix_message &a = *r.view().messages[1];
    BOOST_TEST_REQUIRE(a.part_count == 2U);
    BOOST_TEST(a.parts[1]->type == HELIX_PART_TEXT);
    BOOST_TEST(sv(a.parts[1]->text) == "I can't.");
}

BOOST_AUTO_TEST_CASE(tools_are_kept_with_parameters_as_json_text) {
    const ChatRequest r = ok(with(kTools + R"(,"tool_choice":"auto","parallel_tool_calls":false)"));
    const helix_chat_request &v = r.view();
    BOOST_TEST_REQUIRE(v.tool_count == 2U);
    BOOST_TEST(v.tools[0]->struct_size == sizeof(helix_tool));
    BOOST_TEST(sv(v.tools[0]->name) == "get_weather");
    BOOST_TEST(sv(v.tools[0]->description) == "Weather now");
    BOOST_TEST(v.tools[0]->strict == 1);
    BOOST_TEST(json::parse(sv(v.tools[0]->parameters_json)) ==
               json::parse(R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})"));
    BOOST_TEST(sv(v.tools[1]->name) == "noop");
    BOOST_TEST(sv(v.tools[1]->description).empty());
    BOOST_TEST(sv(v.tools[1]->parameters_json).empty());
    BOOST_TEST(v.tools[1]->strict == 0);
    BOOST_TEST(v.tool_choice == HELIX_TOOL_CHOICE_AUTO);
    BOOST_TEST(v.parallel_tool_calls == 0);
    BOOST_TEST(r.required_capabilities() == HELIX_MODEL_TOOLS);
}

BOOST_AUTO_TEST_CASE(tool_choice_forms) {
    const std::pair<std::string, helix_tool_choice> cases[] = {
        {R"("none")", HELIX_TOOL_CHOICE_NONE},
        {R"("auto")", HELIX_TOOL_CHOICE_AUTO},
        {R"("required")", HELIX_TOOL_CHOICE_REQUIRED},
        {R"({"type":"function","function":{"name":"noop"}})", HELIX_TOOL_CHOICE_NAMED},
        {"null", HELIX_TOOL_CHOICE_UNSET},
    };
    for (const auto &[choice, expected] : cases) {
        BOOST_TEST_CONTEXT(choice) {
            const ChatRequest r = ok(with(kTools + ",\"tool_choice\":" + choice + ",\"parallel_tool_calls\":true"));
            BOOST_TEST(r.view().tool_choice == expected);
            BOOST_TEST(sv(r.view().tool_choice_name) == (expected == HELIX_TOOL_CHOICE_NAMED ? "noop" : ""));
            BOOST_TEST(r.view().parallel_tool_calls == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(stream_and_include_usage) {
    const ChatRequest a = ok(with(R"("stream":true,"stream_options":{"include_usage":true})"));
    BOOST_TEST(a.view().stream == 1);
    BOOST_TEST(a.view().include_usage == 1);
    BOOST_TEST(a.stream());
    BOOST_TEST(a.include_usage());
    BOOST_TEST(a.required_capabilities() == HELIX_MODEL_STREAMING);

    const ChatRequest b = ok(with(R"("stream":true,"stream_options":{"include_usage":false})"));
    BOOST_TEST(b.stream());
    BOOST_TEST(!b.include_usage());

    const ChatRequest c = ok(with(R"("stream":true)"));
    BOOST_TEST(!c.include_usage());

    const ChatRequest d = ok(with(R"("stream":false,"stream_options":null)"));
    BOOST_TEST(!d.stream());
}

BOOST_AUTO_TEST_CASE(sampling_parameters_set_presence_bits) {
    const ChatRequest r =
        ok(with(R"("max_tokens":100,"temperature":0.7,"top_p":1,"seed":-42,"user":"user-123","n":3)"));
    const helix_chat_request &v = r.view();
    BOOST_TEST(v.present == (HELIX_HAS_MAX_TOKENS | HELIX_HAS_TEMPERATURE | HELIX_HAS_TOP_P | HELIX_HAS_SEED));
    BOOST_TEST(v.max_tokens == 100);
    BOOST_TEST(v.temperature == 0.7);
    BOOST_TEST(v.top_p == 1.0);
    BOOST_TEST(v.seed == -42);
    BOOST_TEST(sv(v.user) == "user-123");
    BOOST_TEST(v.n == 3U);
    BOOST_TEST(r.n() == 3U);
    BOOST_TEST(r.required_capabilities() == HELIX_MODEL_MULTIPLE_CHOICES);

    // Bounds are inclusive; only what was given is marked present.
    const ChatRequest edges = ok(with(R"("temperature":0,"top_p":0,"n":128)"));
    BOOST_TEST(edges.view().present == (HELIX_HAS_TEMPERATURE | HELIX_HAS_TOP_P));
    BOOST_TEST(edges.view().temperature == 0.0);
    BOOST_TEST(edges.view().n == 128U);
    BOOST_TEST(ok(with(R"("temperature":2)")).view().temperature == 2.0);
}

BOOST_AUTO_TEST_CASE(max_completion_tokens_wins_over_max_tokens) {
    BOOST_TEST(ok(with(R"("max_tokens":100,"max_completion_tokens":50)")).view().max_tokens == 50);
    BOOST_TEST(ok(with(R"("max_completion_tokens":50,"max_tokens":100)")).view().max_tokens == 50);
    const ChatRequest only = ok(with(R"("max_completion_tokens":7)"));
    BOOST_TEST(only.view().max_tokens == 7);
    BOOST_TEST(only.view().present == HELIX_HAS_MAX_TOKENS);
    // An integer written as a decimal is still an integer.
    BOOST_TEST(ok(with(R"("max_tokens":5.0)")).view().max_tokens == 5);
    BOOST_TEST(ok(with(R"("max_tokens":9223372036854775807)")).view().max_tokens == INT64_MAX);
}

BOOST_AUTO_TEST_CASE(stop_string_or_list) {
    const ChatRequest one = ok(with(R"("stop":"END")"));
    BOOST_TEST_REQUIRE(one.view().stop_count == 1U);
    BOOST_TEST(sv(one.view().stop[0]) == "END");

    const ChatRequest four = ok(with(R"("stop":["a","b\n","","d"])"));
    BOOST_TEST_REQUIRE(four.view().stop_count == 4U);
    BOOST_TEST(sv(four.view().stop[0]) == "a");
    BOOST_TEST(sv(four.view().stop[1]) == "b\n");
    BOOST_TEST(sv(four.view().stop[2]).empty());
    BOOST_TEST(sv(four.view().stop[3]) == "d");

    const ChatRequest none = ok(with(R"("stop":[])"));
    BOOST_TEST(none.view().stop_count == 0U);
}

BOOST_AUTO_TEST_CASE(response_format_forms) {
    BOOST_TEST(ok(with(R"("response_format":{"type":"text"})")).view().response_format == HELIX_FORMAT_TEXT);
    BOOST_TEST(ok(with(R"("response_format":{"type":"json_object"})")).view().response_format ==
               HELIX_FORMAT_JSON_OBJECT);
    const std::string schema =
        R"({"name":"answer","strict":true,"schema":{"type":"object","properties":{"x":{"type":"integer"}}}})";
    const ChatRequest r = ok(with(R"("response_format":{"type":"json_schema","json_schema":)" + schema + "}"));
    BOOST_TEST(r.view().response_format == HELIX_FORMAT_JSON_SCHEMA);
    BOOST_TEST(json::parse(sv(r.view().response_schema_json)) == json::parse(schema));
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored_and_null_means_absent) {
    const ChatRequest r = ok(with(
        R"("frequency_penalty":0.5,"logit_bias":{"50256":-100},"metadata":{"a":"b"},"reasoning_effort":"low",)"
        R"("temperature":null,"max_tokens":null,"stop":null,"n":null,"seed":null,"user":null,"tools":null,)"
        R"("tool_choice":null,"response_format":null,"stream":null,"parallel_tool_calls":null,"top_p":null)"));
    const helix_chat_request &v = r.view();
    BOOST_TEST(v.present == 0U);
    BOOST_TEST(v.n == 1U);
    BOOST_TEST(v.tool_count == 0U);
    BOOST_TEST(v.parallel_tool_calls == -1);
    BOOST_TEST(v.stream == 0);
    // Unknown members of known objects are ignored too.
    const ChatRequest m = ok(msgs(R"([{"role":"user","content":"x","audio":null,"weird":[1,2]}])"));
    BOOST_TEST(sv(m.view().messages[0]->text) == "x");
}

BOOST_AUTO_TEST_CASE(escapes_and_unicode_are_decoded) {
    const ChatRequest r = ok(msgs(R"([{"role":"user","content":"line\n\"q\" \u00e9 \ud83d\ude00 ü"}])"));
    BOOST_TEST(sv(r.view().messages[0]->text) == "line\n\"q\" \xC3\xA9 \xF0\x9F\x98\x80 \xC3\xBC");
}

BOOST_AUTO_TEST_CASE(set_upstream_model_changes_only_the_view) {
    ChatRequest r = ok(with(""));
    r.set_upstream_model("gpt-4o-2024-08-06");
    BOOST_TEST(sv(r.view().model) == "gpt-4o-2024-08-06");
    BOOST_TEST(r.upstream_model() == "gpt-4o-2024-08-06");
    BOOST_TEST(r.model() == "openai/gpt-4o");
    r.set_upstream_model("claude-3-5-sonnet"); // the next fail-over candidate
    BOOST_TEST(sv(r.view().model) == "claude-3-5-sonnet");
    BOOST_TEST(r.model() == "openai/gpt-4o");
}

BOOST_AUTO_TEST_CASE(moving_keeps_the_view_valid) {
    ChatRequest a = ok(msgs(R"([{"role":"user","content":[{"type":"text","text":"part"}]},
        {"role":"assistant","content":null,"tool_calls":[{"id":"i","type":"function","function":{"name":"f","arguments":"{}"}}]}])"));
    a.set_upstream_model("upstream-id");
    const helix_message *const *messages = a.view().messages;
    const char *text = a.view().messages[0]->parts[0]->text.data;

    ChatRequest b = std::move(a);
    BOOST_TEST(b.view().messages == messages);
    BOOST_TEST(b.view().messages[0]->parts[0]->text.data == text);
    BOOST_TEST(sv(b.view().messages[0]->parts[0]->text) == "part");
    BOOST_TEST(sv(b.view().messages[1]->tool_calls[0]->name) == "f");
    BOOST_TEST(sv(b.view().model) == "upstream-id");
    // The moved-from object is an empty request, not a dangling one.
    BOOST_TEST(a.view().message_count == 0U); // NOLINT(bugprone-use-after-move)
    BOOST_TEST(a.model().empty());            // NOLINT(bugprone-use-after-move)

    ChatRequest c = ok(with(""));
    c = std::move(b);
    BOOST_TEST(sv(c.view().messages[0]->parts[0]->text) == "part");
    BOOST_TEST(sv(c.view().model) == "upstream-id");

    std::vector<ChatRequest> many;
    for (int i = 0; i < 20; ++i) many.push_back(ok(with("\"user\":\"u" + std::to_string(i) + "\"")));
    for (int i = 0; i < 20; ++i) BOOST_TEST(sv(many[static_cast<std::size_t>(i)].view().user) == "u" + std::to_string(i));
}

BOOST_AUTO_TEST_CASE(every_overload_parses) {
    std::string owned = with("");
    const std::string copy = owned;
    BOOST_TEST(std::holds_alternative<ChatRequest>(api::parse_chat_request(std::move(owned))));
    BOOST_TEST(std::holds_alternative<ChatRequest>(api::parse_chat_request(std::string_view(copy))));
    BOOST_TEST(std::holds_alternative<ChatRequest>(api::parse_chat_request(copy))); // lvalue string: copies
    BOOST_TEST(std::holds_alternative<ChatRequest>(
        api::parse_chat_request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})")));
    BOOST_TEST(std::holds_alternative<ApiError>(api::parse_chat_request(static_cast<const char *>(nullptr))));
}

// --- invalid bodies -------------------------------------------------------------------

namespace {

struct Case {
    std::string body;
    std::string param; // "" = null
    std::string code;  // "" = null
    std::string text;  // must appear in the message
};

void check(const Case &c) {
    BOOST_TEST_CONTEXT(c.body) {
        const ApiError e = bad(c.body);
        BOOST_TEST(e.status == 400);
        BOOST_TEST(e.type == "invalid_request_error");
        BOOST_TEST(e.param == c.param);
        BOOST_TEST(e.code == c.code);
        BOOST_TEST(e.message.find(c.text) != std::string::npos, "'" << c.text << "' not in: " << e.message);
        // The error body is valid JSON in OpenAI's shape.
        const json::value body = json::parse(api::error_body(e));
        BOOST_TEST(body.at("error").at("type") == "invalid_request_error");
        if (c.param.empty()) {
            BOOST_TEST(body.at("error").at("param").is_null());
        } else {
            BOOST_TEST(body.at("error").at("param") == json::value(c.param));
        }
    }
}

const std::string kParseError = "We could not parse the JSON body of your request.";

} // namespace

BOOST_AUTO_TEST_CASE(malformed_json) {
    for (const std::string &body : {std::string("{\"model\":"), std::string(""), std::string("{} x"),
                                   std::string("{'model':'m'}"), std::string("{\"a\":1,}"),
                                   std::string("{\"a\":1 /* c */}"), std::string("{\"s\":\"\xFF\"}"),
                                   std::string("{\"s\":\"tab\there\"}"), std::string("nul"),
                                   std::string("{\"a\":\"\\ud800\"}x")}) {
        check({body, "", "", kParseError});
    }
    BOOST_TEST(bad("").message.find("the body is empty") != std::string::npos);
    BOOST_TEST(bad("{\"model\":tru}").message.find("near byte") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_not_overflowed) {
    const auto nested = [](std::size_t depth) {
        // {"model":"m","messages":[...],"x": [[[...]]]} with `depth` levels in total.
        std::string body = R"({"model":"m","messages":[{"role":"user","content":"x"}],"x":)";
        body.append(depth - 1, '[');
        body.append(depth - 1, ']');
        body += '}';
        return body;
    };
    ok(nested(api::kMaxJsonDepth)); // exactly at the limit: fine (and ignored)
    const ApiError e = bad(nested(api::kMaxJsonDepth + 1));
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.message.find("more than 64 levels deep") != std::string::npos, e.message);
    // A million open brackets: an error, not a stack overflow.
    const ApiError huge = bad(std::string(1'000'000, '['));
    BOOST_TEST(huge.status == 400);
    const ApiError objects = bad([] {
        std::string s;
        for (int i = 0; i < 100'000; ++i) s += "{\"a\":";
        return s;
    }());
    BOOST_TEST(objects.status == 400);
}

BOOST_AUTO_TEST_CASE(body_must_be_an_object) {
    check({"[]", "", "invalid_type", "must be a JSON object, but it is an array"});
    check({"\"hello\"", "", "invalid_type", "but it is a string"});
    check({"42", "", "invalid_type", "but it is an integer"});
    check({"null", "", "invalid_type", "but it is null"});
    check({"true", "", "invalid_type", "but it is a boolean"});
}

BOOST_AUTO_TEST_CASE(model_errors) {
    check({R"({"messages":[{"role":"user","content":"x"}]})", "model", "missing_required_parameter",
           "Missing required parameter: 'model'."});
    check({R"({"model":null,"messages":[{"role":"user","content":"x"}]})", "model", "missing_required_parameter",
           "Missing required parameter"});
    check({R"({"model":5,"messages":[{"role":"user","content":"x"}]})", "model", "invalid_type",
           "Invalid type for 'model': expected a string, but got an integer instead."});
    check({R"({"model":"","messages":[{"role":"user","content":"x"}]})", "model", "empty_string", "empty string"});
}

BOOST_AUTO_TEST_CASE(messages_errors) {
    check({R"({"model":"m"})", "messages", "missing_required_parameter", "Missing required parameter: 'messages'."});
    check({msgs("{}"), "messages", "invalid_type", "expected an array, but got an object instead"});
    check({msgs("[]"), "messages", "empty_array", "empty array"});
    check({msgs(R"(["hi"])"), "messages[0]", "invalid_type", "expected an object, but got a string"});
    check({msgs(R"([{"role":"user","content":"x"},{"content":"y"}])"), "messages[1].role",
           "missing_required_parameter", "'messages[1].role'"});
    check({msgs(R"([{"role":"user","content":"x"},{"role":"user","content":"x"},{"role":"user","content":"x"},)"
                R"({"role":"bot","content":"y"}])"),
           "messages[3].role", "invalid_value",
           "Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'."});
    check({msgs(R"([{"role":"function","content":"y","name":"f"}])"), "messages[0].role", "invalid_value",
           "'function'"});
    check({msgs(R"([{"role":3,"content":"y"}])"), "messages[0].role", "invalid_type", "expected a string"});
    check({msgs(R"([{"role":"user","content":"y","name":5}])"), "messages[0].name", "invalid_type",
           "expected a string, but got an integer"});
}

BOOST_AUTO_TEST_CASE(content_errors) {
    check({msgs(R"([{"role":"user"}])"), "messages[0].content", "missing_required_parameter", "content"});
    check({msgs(R"([{"role":"user","content":null}])"), "messages[0].content", "invalid_type", "but got null"});
    check({msgs(R"([{"role":"system","content":5}])"), "messages[0].content", "invalid_type",
           "expected a string or an array of content parts, but got an integer instead"});
    check({msgs(R"([{"role":"user","content":{"type":"text"}}])"), "messages[0].content", "invalid_type",
           "got an object"});
    check({msgs(R"([{"role":"user","content":[]}])"), "messages[0].content", "empty_array", "empty array"});
    check({msgs(R"([{"role":"user","content":["text"]}])"), "messages[0].content[0]", "invalid_type",
           "expected an object"});
    check({msgs(R"([{"role":"user","content":[{"text":"x"}]}])"), "messages[0].content[0].type",
           "missing_required_parameter", "Missing required parameter"});
    check({msgs(R"([{"role":"user","content":[{"type":"text","text":"a"},{"type":"video"}]}])"),
           "messages[0].content[1].type", "invalid_value", "Supported values are: 'text', 'image_url', and 'file'."});
    check({msgs(R"([{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}])"),
           "messages[0].content[0].type", "unsupported_value", "not supported by this gateway"});
    check({msgs(R"([{"role":"user","content":[{"type":"text"}]}])"), "messages[0].content[0].text",
           "missing_required_parameter", "'messages[0].content[0].text'"});
    check({msgs(R"([{"role":"user","content":[{"type":"text","text":1.5}]}])"), "messages[0].content[0].text",
           "invalid_type", "expected a string, but got a decimal number instead"});
    check({msgs(R"([{"role":"developer","content":[{"type":"refusal","refusal":"no"}]}])"),
           "messages[0].content[0].type", "invalid_value", "Supported values are: 'text'."});
    check({msgs(R"([{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"image_url",)"
                R"("image_url":{"url":"https://a/b.png"}}]}])"),
           "messages[1].content[0].type", "invalid_value", "only allowed in messages with role 'user'"});
    check({msgs(R"([{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"audio"}]}])"),
           "messages[1].content[0].type", "invalid_value", "'text' and 'refusal'"});
}

BOOST_AUTO_TEST_CASE(image_url_errors) {
    const auto image = [](std::string_view part) {
        return msgs(std::string(R"([{"role":"system","content":"s"},{"role":"assistant","content":"a"},)") +
                    R"({"role":"user","content":[)" + std::string(part) + "]}]");
    };
    const std::string url_param = "messages[2].content[0].image_url.url";
    check({image(R"({"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}})"), url_param,
           "invalid_value", "expected an https:// or http:// URL"});
    check({image(R"({"type":"image_url","image_url":{"url":"https://"}})"), url_param, "invalid_value", "https://"});
    check({image(R"({"type":"image_url","image_url":{"url":"example.com/a.png"}})"), url_param, "invalid_value",
           "'example.com/a.png'"});
    for (const char *uri : {"data:image/png;base64,", "data:text/plain;base64,AAAA", "data:image/png,AAAA",
                            "data:image/png;base64,@@@@", "data:;base64,AAAA", "data:image/png;base64",
                            "data:image/png;base64,AA=A"}) {
        check({image(std::string(R"({"type":"image_url","image_url":{"url":")") + uri + "\"}}"), url_param,
               "invalid_value", "base64-encoded data URL"});
    }
    check({image(R"({"type":"image_url","image_url":{}})"), url_param, "missing_required_parameter",
           "Missing required parameter"});
    check({image(R"({"type":"image_url","image_url":{"url":42}})"), url_param, "invalid_type",
           "expected a string, but got an integer"});
    check({image(R"({"type":"image_url"})"), "messages[2].content[0].image_url", "missing_required_parameter",
           "image_url"});
    check({image(R"({"type":"image_url","image_url":"https://a/b.png"})"), "messages[2].content[0].image_url",
           "invalid_type", "expected an object, but got a string"});
    check({image(R"({"type":"image_url","image_url":{"url":"https://a/b.png","detail":"ultra"}})"),
           "messages[2].content[0].image_url.detail", "invalid_value", "'auto', 'low', and 'high'"});
    check({msgs(R"([{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://a/b.png"}}]}])"),
           "messages[0].content[0].type", "invalid_value", "role 'user'"});
    // A long value is quoted shortened.
    const ApiError e = bad(image(R"({"type":"image_url","image_url":{"url":")" + std::string(5000, 'x') + "\"}}"));
    BOOST_TEST(e.message.size() < 400U);
    BOOST_TEST(e.message.find("...'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(assistant_and_tool_message_errors) {
    const std::string user = R"({"role":"user","content":"q"},)";
    check({msgs("[" + user + R"({"role":"assistant","content":null}])"), "messages[1].content", "invalid_type",
           "content may be null only with tool_calls"});
    check({msgs("[" + user + R"({"role":"assistant"}])"), "messages[1].content", "missing_required_parameter",
           "'messages[1].content'"});
    check({msgs("[" + user + R"({"role":"assistant","tool_calls":{}}])"), "messages[1].tool_calls", "invalid_type",
           "expected an array"});
    check({msgs("[" + user + R"({"role":"assistant","tool_calls":[]}])"), "messages[1].tool_calls", "empty_array",
           "empty array"});
    const auto call = [&](std::string_view c) {
        return msgs("[" + user + R"({"role":"assistant","tool_calls":[)" +
                    R"({"id":"ok","type":"function","function":{"name":"f","arguments":"{}"}},)" + std::string(c) +
                    "]}]");
    };
    check({call(R"({"type":"function","function":{"name":"f","arguments":"{}"}})"), "messages[1].tool_calls[1].id",
           "missing_required_parameter", "'messages[1].tool_calls[1].id'"});
    check({call(R"({"id":"x","function":{"name":"f","arguments":"{}"}})"), "messages[1].tool_calls[1].type",
           "missing_required_parameter", "type"});
    check({call(R"({"id":"x","type":"code","function":{"name":"f","arguments":"{}"}})"),
           "messages[1].tool_calls[1].type", "invalid_value", "Supported values are: 'function'."});
    check({call(R"({"id":"x","type":"function"})"), "messages[1].tool_calls[1].function",
           "missing_required_parameter", "function"});
    check({call(R"({"id":"x","type":"function","function":{"arguments":"{}"}})"),
           "messages[1].tool_calls[1].function.name", "missing_required_parameter", "name"});
    check({call(R"({"id":"x","type":"function","function":{"name":"f"}})"),
           "messages[1].tool_calls[1].function.arguments", "missing_required_parameter", "arguments"});
    check({call(R"({"id":"x","type":"function","function":{"name":"f","arguments":{"a":1}}})"),
           "messages[1].tool_calls[1].function.arguments", "invalid_type", "expected a string, but got an object"});
    check({call(R"(7)"), "messages[1].tool_calls[1]", "invalid_type", "expected an object, but got an integer"});

    check({msgs("[" + user + R"({"role":"tool","content":"r"}])"), "messages[1].tool_call_id",
           "missing_required_parameter", "'messages[1].tool_call_id'"});
    check({msgs("[" + user + R"({"role":"tool","tool_call_id":5,"content":"r"}])"), "messages[1].tool_call_id",
           "invalid_type", "expected a string"});
    check({msgs("[" + user + R"({"role":"tool","tool_call_id":"c"}])"), "messages[1].content",
           "missing_required_parameter", "content"});
    check({msgs("[" + user + R"({"role":"tool","tool_call_id":"c","content":[{"type":"image_url",)"
                             R"("image_url":{"url":"https://a/b.png"}}]}])"),
           "messages[1].content[0].type", "invalid_value", "role 'user'"});
}

BOOST_AUTO_TEST_CASE(tools_errors) {
    check({with(R"("tools":{})"), "tools", "invalid_type", "expected an array, but got an object"});
    check({with(R"("tools":[])"), "tools", "empty_array", "empty array"});
    check({with(R"("tools":["f"])"), "tools[0]", "invalid_type", "expected an object"});
    check({with(R"("tools":[{"function":{"name":"f"}}])"), "tools[0].type", "missing_required_parameter", "type"});
    check({with(R"("tools":[{"type":"retrieval"}])"), "tools[0].type", "invalid_value", "'function'"});
    check({with(R"("tools":[{"type":"function"}])"), "tools[0].function", "missing_required_parameter",
           "function"});
    check({with(R"("tools":[{"type":"function","function":{"name":"ok"}},{"type":"function","function":{}}])"),
           "tools[1].function.name", "missing_required_parameter", "'tools[1].function.name'"});
    check({with(R"("tools":[{"type":"function","function":{"name":"bad name"}}])"), "tools[0].function.name",
           "invalid_value", "^[a-zA-Z0-9_-]{1,64}$"});
    check({with(R"("tools":[{"type":"function","function":{"name":")" + std::string(65, 'a') + "\"}}]"),
           "tools[0].function.name", "invalid_value", "pattern"});
    check({with(R"("tools":[{"type":"function","function":{"name":""}}])"), "tools[0].function.name",
           "invalid_value", "pattern"});
    check({with(R"("tools":[{"type":"function","function":{"name":"f","description":5}}])"),
           "tools[0].function.description", "invalid_type", "expected a string"});
    check({with(R"("tools":[{"type":"function","function":{"name":"f","parameters":"{}"}}])"),
           "tools[0].function.parameters", "invalid_type", "expected an object, but got a string"});
    check({with(R"("tools":[{"type":"function","function":{"name":"f","parameters":{"max":1e400}}}])"),
           "tools[0].function.parameters", "invalid_value", "too large"});
    check({with(R"("tools":[{"type":"function","function":{"name":"f","strict":"yes"}}])"),
           "tools[0].function.strict", "invalid_type", "expected a boolean, but got a string"});
}

BOOST_AUTO_TEST_CASE(tool_choice_errors) {
    check({with(R"("tool_choice":"auto")"), "tool_choice", "invalid_value", "only allowed when 'tools' are specified"});
    check({with(kTools + R"(,"tool_choice":"sometimes")"), "tool_choice", "invalid_value",
           "'none', 'auto', and 'required'"});
    check({with(kTools + R"(,"tool_choice":5)"), "tool_choice", "invalid_type", "but got an integer"});
    check({with(kTools + R"(,"tool_choice":{"type":"function"})"), "tool_choice.function",
           "missing_required_parameter", "function"});
    check({with(kTools + R"(,"tool_choice":{"type":"tool","function":{"name":"noop"}})"), "tool_choice.type",
           "invalid_value", "'function'"});
    check({with(kTools + R"(,"tool_choice":{"function":{"name":"noop"}})"), "tool_choice.type",
           "missing_required_parameter", "type"});
    check({with(kTools + R"(,"tool_choice":{"type":"function","function":{"name":"other"}})"),
           "tool_choice.function.name", "invalid_value", "is not the name of a function in 'tools'"});
    check({with(kTools + R"(,"tool_choice":{"type":"function","function":{}})"), "tool_choice.function.name",
           "missing_required_parameter", "name"});
    check({with(R"("parallel_tool_calls":"yes")"), "parallel_tool_calls", "invalid_type",
           "expected a boolean, but got a string"});
}

BOOST_AUTO_TEST_CASE(stream_errors) {
    check({with(R"("stream":"true")"), "stream", "invalid_type", "expected a boolean, but got a string instead"});
    check({with(R"("stream":1)"), "stream", "invalid_type", "expected a boolean, but got an integer instead"});
    check({with(R"("stream_options":{"include_usage":true})"), "stream_options", "invalid_value",
           "The 'stream_options' parameter is only allowed when 'stream' is enabled."});
    check({with(R"("stream":false,"stream_options":{"include_usage":true})"), "stream_options", "invalid_value",
           "only allowed when 'stream' is enabled"});
    check({with(R"("stream":true,"stream_options":true)"), "stream_options", "invalid_type", "expected an object"});
    check({with(R"("stream":true,"stream_options":{"include_usage":"yes"})"), "stream_options.include_usage",
           "invalid_type", "expected a boolean"});
}

BOOST_AUTO_TEST_CASE(number_errors) {
    check({with(R"("max_tokens":0)"), "max_tokens", "integer_below_min_value",
           "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead."});
    check({with(R"("max_tokens":-5)"), "max_tokens", "integer_below_min_value", "got -5 instead"});
    check({with(R"("max_tokens":1.5)"), "max_tokens", "invalid_type",
           "expected an integer, but got a decimal number instead"});
    check({with(R"("max_tokens":"10")"), "max_tokens", "invalid_type", "expected an integer, but got a string"});
    check({with(R"("max_tokens":18446744073709551615)"), "max_tokens", "integer_above_max_value",
           "18446744073709551615"});
    check({with(R"("max_tokens":1e300)"), "max_tokens", "integer_above_max_value", "above maximum"});
    check({with(R"("max_tokens":100,"max_completion_tokens":0)"), "max_completion_tokens",
           "integer_below_min_value", "'max_completion_tokens'"});
    check({with(R"("temperature":"1")"), "temperature", "invalid_type",
           "Invalid type for 'temperature': expected a number, but got a string instead."});
    check({with(R"("temperature":2.5)"), "temperature", "decimal_above_max_value",
           "Expected a value <= 2, but got 2.5 instead."});
    check({with(R"("temperature":-0.1)"), "temperature", "decimal_below_min_value", ">= 0"});
    check({with(R"("temperature":1e400)"), "temperature", "invalid_value", "finite"});
    check({with(R"("top_p":1.01)"), "top_p", "decimal_above_max_value", "<= 1"});
    check({with(R"("top_p":true)"), "top_p", "invalid_type", "expected a number, but got a boolean"});
    check({with(R"("n":0)"), "n", "integer_below_min_value", ">= 1"});
    check({with(R"("n":129)"), "n", "integer_above_max_value", "<= 128"});
    check({with(R"("n":2.5)"), "n", "invalid_type", "expected an integer"});
    check({with(R"("seed":"42")"), "seed", "invalid_type", "expected an integer, but got a string"});
    check({with(R"("seed":0.5)"), "seed", "invalid_type", "expected an integer"});
    check({with(R"("seed":9223372036854775808)"), "seed", "integer_above_max_value", "above maximum"});
    check({with(R"("user":5)"), "user", "invalid_type", "expected a string, but got an integer"});
}

BOOST_AUTO_TEST_CASE(stop_errors) {
    check({with(R"("stop":5)"), "stop", "invalid_type", "expected a string or an array of strings"});
    check({with(R"("stop":{"a":1})"), "stop", "invalid_type", "but got an object"});
    check({with(R"("stop":["a",1])"), "stop[1]", "invalid_type", "expected a string, but got an integer"});
    check({with(R"("stop":["a","b","c","d","e"])"), "stop", "array_above_max_length",
           "Expected an array with maximum length 4, but got an array with length 5 instead."});
}

BOOST_AUTO_TEST_CASE(response_format_errors) {
    check({with(R"("response_format":"json")"), "response_format", "invalid_type", "expected an object"});
    check({with(R"("response_format":{})"), "response_format.type", "missing_required_parameter", "type"});
    check({with(R"("response_format":{"type":"xml"})"), "response_format.type", "invalid_value",
           "'text', 'json_object', and 'json_schema'"});
    check({with(R"("response_format":{"type":"json_schema"})"), "response_format.json_schema",
           "missing_required_parameter", "json_schema"});
    check({with(R"("response_format":{"type":"json_schema","json_schema":{"schema":{}}})"),
           "response_format.json_schema.name", "missing_required_parameter", "name"});
    check({with(R"("response_format":{"type":"json_schema","json_schema":{"name":"a b"}})"),
           "response_format.json_schema.name", "invalid_value", "pattern"});
    check({with(R"("response_format":{"type":"json_schema","json_schema":{"name":"a","schema":[]}})"),
           "response_format.json_schema.schema", "invalid_type", "expected an object, but got an array"});
    check({with(R"("response_format":{"type":"json_schema","json_schema":{"name":"a","strict":1}})"),
           "response_format.json_schema.strict", "invalid_type", "expected a boolean"});
}

// --- hostile input --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_truncation_of_a_valid_body_is_a_clean_400) {
    const std::string body =
        with(kTools + R"(,"tool_choice":{"type":"function","function":{"name":"noop"}},"stream":true,)"
                      R"("stream_options":{"include_usage":true},"stop":["x","y"],"temperature":0.5,)"
                      R"("response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{}}})");
    ok(body);
    for (std::size_t len = 0; len < body.size(); ++len) {
        const api::ParseResult r = api::parse_chat_request(std::string_view(body).substr(0, len));
        const auto *e = std::get_if<ApiError>(&r);
        BOOST_TEST_REQUIRE(e != nullptr, "prefix of length " << len << " parsed");
        BOOST_TEST(e->status == 400);
    }
}

BOOST_AUTO_TEST_CASE(random_mutations_never_crash) {
    const std::string body = msgs(R"([{"role":"system","content":"s"},{"role":"user","content":[{"type":"text",)"
                                  R"("text":"t"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]},)"
                                  R"({"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function",)"
                                  R"("function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c",)"
                                  R"("content":"r"}])");
    ok(body);
    std::mt19937 rng(12345);
    const std::string alphabet = "{}[]\":,0123456789.-+eEtrufalsn \\/\x01\xC3\xFF";
    std::size_t valid = 0;
    std::size_t invalid = 0;
    for (int round = 0; round < 20'000; ++round) {
        std::string mutated = body;
        const int edits = 1 + static_cast<int>(rng() % 4U);
        for (int k = 0; k < edits; ++k) {
            const std::size_t at = rng() % mutated.size();
            switch (rng() % 3U) {
            case 0:
                mutated[at] = alphabet[rng() % alphabet.size()];
                break;
            case 1:
                mutated.erase(at, 1);
                break;
            default:
                mutated.insert(at, 1, alphabet[rng() % alphabet.size()]);
                break;
            }
        }
        const api::ParseResult r = api::parse_chat_request(std::move(mutated));
        if (const auto *e = std::get_if<ApiError>(&r)) {
            ++invalid;
            BOOST_TEST_REQUIRE(e->status == 400);
            BOOST_TEST_REQUIRE(!e->message.empty());
            json::parse(api::error_body(*e)); // always valid JSON
        } else {
            ++valid;
            const helix_chat_request &v = std::get<ChatRequest>(r).view();
            BOOST_TEST_REQUIRE(v.message_count >= 1U);
        }
    }
    BOOST_TEST(invalid > 0U);
    BOOST_TEST(valid > 0U); // some mutations only touch text: the test exercised both paths
}

// Prompt-cache breakpoints, as Anthropic writes them, on a content part, a
// message and a tool; a wrong one is a 400 naming it.
BOOST_AUTO_TEST_CASE(cache_control_on_parts_messages_and_tools) {
    const ChatRequest r = ok(
        R"({"model":"m","messages":[)"
        R"({"role":"system","content":[{"type":"text","text":"rules","cache_control":{"type":"ephemeral","ttl":"1h"}}]},)"
        R"({"role":"user","content":"hi","cache_control":{"type":"ephemeral"}},)"
        R"({"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral","ttl":"5m"}}]}],)"
        R"("tools":[{"type":"function","function":{"name":"f"},"cache_control":{"type":"ephemeral"}},{"type":"function","function":{"name":"g"}}]})");
    const helix_chat_request &v = r.view();
    BOOST_TEST(v.messages[0]->cache_control == HELIX_CACHE_NONE);
    BOOST_TEST(v.messages[0]->parts[0]->cache_control == HELIX_CACHE_EPHEMERAL_1H);
    BOOST_TEST(v.messages[1]->cache_control == HELIX_CACHE_EPHEMERAL);
    BOOST_TEST(v.messages[2]->parts[0]->cache_control == HELIX_CACHE_NONE);
    BOOST_TEST(v.messages[2]->parts[1]->cache_control == HELIX_CACHE_EPHEMERAL);
    BOOST_TEST(v.tools[0]->cache_control == HELIX_CACHE_EPHEMERAL);
    BOOST_TEST(v.tools[1]->cache_control == HELIX_CACHE_NONE);

    ApiError e = bad(msgs(R"([{"role":"user","content":[{"type":"text","text":"a","cache_control":{"type":"persistent"}}]}])"));
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.param == "messages[0].content[0].cache_control.type");
    e = bad(msgs(R"([{"role":"user","content":"a","cache_control":{"type":"ephemeral","ttl":"2h"}}])"));
    BOOST_TEST(e.param == "messages[0].cache_control.ttl");
    e = bad(msgs(R"([{"role":"user","content":"a","cache_control":"ephemeral"}])"));
    BOOST_TEST(e.param == "messages[0].cache_control");
    e = bad(with(R"("tools":[{"type":"function","function":{"name":"f"},"cache_control":{}}])"));
    BOOST_TEST(e.param == "tools[0].cache_control.type");
}
