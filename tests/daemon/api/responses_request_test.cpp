#define BOOST_TEST_MODULE api_responses_request
#include <boost/test/unit_test.hpp>

#include "daemon/api/responses_request.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace api = helix::api;
namespace json = boost::json;
using api::ApiError;
using api::ResponsesRequest;

namespace {

std::string_view sv(helix_str s) { return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len); }

ResponsesRequest ok(std::string body) {
    api::ResponsesParseResult result = api::parse_responses_request(std::move(body));
    if (const auto *error = std::get_if<ApiError>(&result))
        BOOST_FAIL("expected a valid request, got " << error->status << " param='" << error->param << "' code='"
                                                    << error->code << "': " << error->message);
    return std::move(std::get<ResponsesRequest>(result));
}

ApiError bad(std::string body) {
    api::ResponsesParseResult result = api::parse_responses_request(body);
    if (std::holds_alternative<ResponsesRequest>(result)) BOOST_FAIL("expected an error, the body parsed: " << body);
    return std::get<ApiError>(std::move(result));
}

// The chat body the request became.
json::object chat_of(const ResponsesRequest &r) { return json::parse(r.chat.body()).as_object(); }

std::string with(std::string_view members) { return R"({"model":"openai/gpt-4o",)" + std::string(members) + "}"; }

void check_error(const ApiError &e, std::string_view param, std::string_view code) {
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.type == "invalid_request_error");
    BOOST_TEST(e.param == param, e.message);
    BOOST_TEST(e.code == code, e.message);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_string_input_is_one_user_message_after_the_instructions) {
    const auto r = ok(with(R"("input":"Hi there","instructions":"Be brief.")"));
    const auto &v = r.chat.view();
    BOOST_TEST_REQUIRE(v.message_count == 2u);
    BOOST_TEST(v.messages[0]->role == HELIX_ROLE_SYSTEM);
    BOOST_TEST(sv(v.messages[0]->text) == "Be brief.");
    BOOST_TEST(v.messages[1]->role == HELIX_ROLE_USER);
    BOOST_TEST(sv(v.messages[1]->text) == "Hi there");
    BOOST_TEST(r.chat.model() == "openai/gpt-4o");
    BOOST_TEST(!r.chat.stream());
    BOOST_TEST(r.echoed.at("instructions").as_string() == "Be brief.");
    BOOST_TEST(r.echoed.at("store").as_bool() == false);
    BOOST_TEST(r.echoed.at("tool_choice").as_string() == "auto");
}

BOOST_AUTO_TEST_CASE(items_become_messages_tool_calls_and_tool_results) {
    const auto r = ok(with(R"("input":[
        {"role":"user","content":[{"type":"input_text","text":"Weather in Paris?"},
                                  {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"}]},
        {"type":"reasoning","id":"rs_1","summary":[]},
        {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
        {"type":"function_call","call_id":"call_2","name":"get_time","arguments":"{}"},
        {"type":"function_call_output","call_id":"call_1","output":"18C"},
        {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"10:00"}]},
        {"type":"message","role":"assistant","content":[{"type":"output_text","text":"It is 18C."}]},
        {"role":"developer","content":"Answer in French."}],
        "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}},
                 {"type":"function","name":"get_time","description":"now","strict":false}],
        "tool_choice":{"type":"function","name":"get_weather"},"parallel_tool_calls":false)"));
    const auto &v = r.chat.view();
    BOOST_TEST_REQUIRE(v.message_count == 6u);
    BOOST_TEST(v.messages[0]->role == HELIX_ROLE_USER);
    BOOST_TEST(v.messages[0]->part_count == 2u);
    BOOST_TEST(v.messages[1]->role == HELIX_ROLE_ASSISTANT);
    BOOST_TEST_REQUIRE(v.messages[1]->tool_call_count == 2u);
    BOOST_TEST(sv(v.messages[1]->tool_calls[0]->id) == "call_1");
    BOOST_TEST(sv(v.messages[1]->tool_calls[1]->name) == "get_time");
    BOOST_TEST(v.messages[2]->role == HELIX_ROLE_TOOL);
    BOOST_TEST(sv(v.messages[2]->tool_call_id) == "call_1");
    BOOST_TEST(sv(v.messages[3]->text) == "10:00");
    BOOST_TEST(sv(v.messages[4]->text) == "It is 18C.");
    BOOST_TEST(v.messages[5]->role == HELIX_ROLE_DEVELOPER);
    BOOST_TEST_REQUIRE(v.tool_count == 2u);
    BOOST_TEST(v.tool_choice == HELIX_TOOL_CHOICE_NAMED);
    BOOST_TEST(sv(v.tool_choice_name) == "get_weather");
    BOOST_TEST(v.parallel_tool_calls == 0);
    // The response echoes the tools in the Responses API's shape.
    const auto &tools = r.echoed.at("tools").as_array();
    BOOST_TEST(tools.at(0).at("type").as_string() == "function");
    BOOST_TEST(tools.at(0).at("strict").as_bool() == true);
    BOOST_TEST(tools.at(1).at("strict").as_bool() == false);
    BOOST_TEST(r.echoed.at("parallel_tool_calls").as_bool() == false);
}

BOOST_AUTO_TEST_CASE(text_format_reasoning_and_sampling_are_translated) {
    const auto r = ok(with(R"("input":"x","stream":true,"max_output_tokens":200,"temperature":0.5,"top_p":0.9,
        "reasoning":{"effort":"low","summary":"auto"},"metadata":{"k":"v"},"store":true,"user":"u1",
        "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}})"));
    const auto &v = r.chat.view();
    BOOST_TEST(r.chat.stream());
    BOOST_TEST(r.chat.include_usage()); // so that the last event carries the usage
    BOOST_TEST(v.max_tokens == 200);
    BOOST_TEST(v.temperature == 0.5);
    BOOST_TEST(v.top_p == 0.9);
    BOOST_TEST(v.response_format == HELIX_FORMAT_JSON_SCHEMA);
    BOOST_TEST(json::parse(sv(v.response_schema_json)).at("name").as_string() == "answer");
    BOOST_TEST(chat_of(r).at("reasoning_effort").as_string() == "low"); // forwarded by OpenAI-dialect providers
    BOOST_TEST(r.echoed.at("metadata").at("k").as_string() == "v");
    BOOST_TEST(r.echoed.at("reasoning").at("effort").as_string() == "low");
    BOOST_TEST(r.echoed.at("store").as_bool() == false); // accepted, nothing is stored
    BOOST_TEST(r.echoed.at("max_output_tokens").as_int64() == 200);
    BOOST_TEST(sv(v.user) == "u1");
    BOOST_TEST(ok(with(R"("input":"x","text":{"format":{"type":"json_object"}})")).chat.view().response_format ==
               HELIX_FORMAT_JSON_OBJECT);
}

BOOST_AUTO_TEST_CASE(stateful_features_and_built_in_tools_are_refused_naming_the_field) {
    check_error(bad(with(R"("input":"x","previous_response_id":"resp_1")")), "previous_response_id",
                "unsupported_parameter");
    check_error(bad(with(R"("input":"x","conversation":"conv_1")")), "conversation", "unsupported_parameter");
    check_error(bad(with(R"("input":"x","background":true)")), "background", "unsupported_parameter");
    check_error(bad(with(R"("input":"x","tools":[{"type":"web_search"}])")), "tools[0].type", "unsupported_parameter");
    check_error(bad(with(R"("input":[{"type":"item_reference","id":"msg_1"}])")), "input[0].type",
                "unsupported_parameter");
    check_error(bad(with(R"("input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}])")),
                "input[0].content[0].file_id", "unsupported_parameter");
    check_error(bad(with(R"("input":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}])")),
                "input[0].content[0].type", "unsupported_parameter");
    BOOST_TEST(bad(with(R"("input":"x","previous_response_id":"resp_1")")).message.find("stateless") !=
               std::string::npos);
    // store and background false are fine.
    ok(with(R"("input":"x","store":false,"background":false)"));
}

// input_file: file_data, file_id or file_url (and filename) reach the chat
// request as a document part; a bad one is named in Responses terms.
BOOST_AUTO_TEST_CASE(input_files_become_document_parts) {
    const auto parsed = ok(with(R"("input":[{"role":"user","content":[{"type":"input_text","text":"Read"},
        {"type":"input_file","file_data":"data:application/pdf;base64,JVBERi0xLjQK","filename":"a.pdf"},
        {"type":"input_file","file_url":"https://example.com/b.pdf"}]}])"));
    const helix_message &m = *parsed.chat.view().messages[0];
    BOOST_TEST_REQUIRE(m.part_count == 3u);
    BOOST_TEST(m.parts[1]->type == HELIX_PART_DOCUMENT);
    BOOST_TEST(m.parts[1]->source == HELIX_SOURCE_BYTES);
    BOOST_TEST(m.parts[1]->data_len == 9u);
    BOOST_TEST(std::string_view(m.parts[1]->filename.data, m.parts[1]->filename.len) == "a.pdf");
    BOOST_TEST(m.parts[2]->source == HELIX_SOURCE_URL);
    check_error(bad(with(R"("input":[{"role":"user","content":[{"type":"input_file"}]}])")), "input[0].content[0]",
                "missing_required_parameter");
    check_error(bad(with(R"("input":[{"role":"user","content":[{"type":"input_file","file_data":"JVBE"}]}])")),
                "input[0].content[0].file_data", "invalid_value");
    check_error(bad(with(R"("input":[{"role":"user","content":[{"type":"input_file","file_url":"file:///etc/passwd"}]}])")),
                "input[0].content[0].file_url", "invalid_value");
}

BOOST_AUTO_TEST_CASE(bad_fields_are_named) {
    check_error(bad(R"({"input":"x"})"), "model", "missing_required_parameter");
    check_error(bad(R"({"model":"m"})"), "input", "missing_required_parameter");
    check_error(bad(with(R"("input":5)")), "input", "invalid_type");
    check_error(bad(with(R"("input":[])")), "input", "empty_array");
    check_error(bad(with(R"("input":[{"role":"robot","content":"x"}])")), "input[0].role", "invalid_value");
    check_error(bad(with(R"("input":[{"role":"user"}])")), "input[0].content", "missing_required_parameter");
    check_error(bad(with(R"("input":[{"type":"function_call","name":"f","arguments":"{}"}])")), "input[0].call_id",
                "missing_required_parameter");
    check_error(bad(with(R"("input":[{"type":"function_call_output","call_id":"c"}])")), "input[0].output",
                "missing_required_parameter");
    check_error(bad(with(R"("input":"x","temperature":3)")), "temperature", "decimal_above_max_value");
    check_error(bad(with(R"("input":"x","max_output_tokens":0)")), "max_output_tokens", "integer_below_min_value");
    check_error(bad(with(R"("input":"x","text":{"format":{"type":"yaml"}})")), "text.format.type", "invalid_value");
    check_error(bad(with(R"("input":"x","text":{"format":{"type":"json_schema","name":"a"}})")),
                "text.format.schema", "missing_required_parameter");
    check_error(bad(with(R"("input":"x","reasoning":{"effort":"max"})")), "reasoning.effort", "invalid_value");
    check_error(bad(with(R"("input":"x","tool_choice":"sometimes")")), "tool_choice", "invalid_value");
    check_error(bad(with(R"("input":"x","tool_choice":{"type":"function","name":"f"})")), "tool_choice",
                "invalid_value");
    check_error(bad(with(R"("input":"x","metadata":{"k":1})")), "metadata.k", "invalid_type");
    check_error(bad(with(R"("input":"x","stream":"yes")")), "stream", "invalid_type");
    const ApiError not_json = bad("{");
    BOOST_TEST(not_json.status == 400);
    BOOST_TEST(not_json.param.empty());
}
