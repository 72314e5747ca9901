#define BOOST_TEST_MODULE plugins_anthropic_prepare
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"
#include "../unknown_role_check.hpp"

#include <boost/json.hpp>

using namespace helix::test;
namespace json = boost::json;

namespace {

const std::string kKey = "sk-ant-test-0123456789";
const std::string kConfig = R"({"api_key":")" + kKey + R"("})";

Request base() {
    Request r;
    r.model = "claude-3-5-sonnet-20241022";
    r.messages = {Message::user("Hello")};
    return r;
}

json::object prepared_body(Harness &h, Request &r) {
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    h.descriptor().call_free(p.call);
    return p.json();
}

Prepared refused(Harness &h, Request &r) {
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.status != HELIX_OK);
    BOOST_TEST(p.call == nullptr);
    return p;
}

} // namespace

BOOST_AUTO_TEST_CASE(url_headers_and_minimal_body) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr);
    BOOST_TEST(std::string(h.descriptor().name) == "anthropic");
    Request r = base();
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK);
    BOOST_TEST(p.method == "POST");
    BOOST_TEST(p.url == "https://api.anthropic.com/v1/messages");
    BOOST_TEST(p.header("x-api-key") == kKey);
    BOOST_TEST(p.header("anthropic-version") == "2023-06-01");
    BOOST_TEST(p.header("content-type") == "application/json");
    BOOST_TEST(!p.has_header("Authorization"));
    BOOST_TEST(!p.has_header("anthropic-beta"));
    BOOST_TEST(!p.streaming);
    const json::object b = p.json();
    BOOST_TEST(b.at("model") == "claude-3-5-sonnet-20241022");
    BOOST_TEST(b.at("max_tokens") == 4096);
    BOOST_TEST(!b.contains("system"));
    BOOST_TEST(!b.contains("stream"));
    BOOST_TEST(json::serialize(b.at("messages")) == R"([{"role":"user","content":[{"type":"text","text":"Hello"}]}])");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(settings_change_url_version_beta_and_default_max_tokens) {
    Harness h(R"({"api_key":"k-123456","base_url":"http://127.0.0.1:8091/","anthropic_version":"2024-01-01",)"
              R"("anthropic_beta":"prompt-caching-2024-07-31","max_tokens_default":1000})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    Request r = base();
    r.stream = true;
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK);
    BOOST_TEST(p.url == "http://127.0.0.1:8091/v1/messages");
    BOOST_TEST(p.header("anthropic-version") == "2024-01-01");
    BOOST_TEST(p.header("anthropic-beta") == "prompt-caching-2024-07-31");
    BOOST_TEST(p.header("accept") == "text/event-stream");
    BOOST_TEST(p.streaming);
    BOOST_TEST(p.json().at("max_tokens") == 1000);
    BOOST_TEST(p.json().at("stream") == true);
    h.descriptor().call_free(p.call);

    Harness v1(R"({"api_key":"k-123456","base_url":"https://proxy.example/anthropic/v1"})");
    Request r2 = base();
    const Prepared q = v1.prepare(r2);
    BOOST_TEST(q.url == "https://proxy.example/anthropic/v1/messages");
    v1.descriptor().call_free(q.call);
}

BOOST_AUTO_TEST_CASE(system_and_developer_messages_become_the_system_prompt) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::system("You are terse."), Message::developer("Answer in French."), Message::user("Hi"),
                  Message::system("Late rule.")};
    const json::object b = prepared_body(h, r);
    BOOST_TEST(b.at("system") == "You are terse.\n\nAnswer in French.\n\nLate rule.");
    BOOST_TEST(b.at("messages").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(consecutive_same_role_messages_merge) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user("one"), Message::user("two"), Message::assistant("three"), Message::assistant("four"),
                  Message::user("five")};
    const json::object b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("messages")) ==
               R"([{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},)"
               R"({"role":"assistant","content":[{"type":"text","text":"three"},{"type":"text","text":"four"}]},)"
               R"({"role":"user","content":[{"type":"text","text":"five"}]}])");
}

BOOST_AUTO_TEST_CASE(images_as_base64_and_url_sources) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user_parts({Part::txt("Compare"), Part::image("data:image/png;base64,iVBORw0KGgo="),
                                       Part::image("data:image/jpg;base64,/9j/4AAQ", "high"),
                                       Part::image("https://img.example/cat.webp")})};
    const json::object b = prepared_body(h, r);
    const json::array &content = b.at("messages").as_array()[0].at("content").as_array();
    BOOST_TEST_REQUIRE(content.size() == 4u);
    BOOST_TEST(json::serialize(content[1]) ==
               R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}})");
    BOOST_TEST(content[2].at("source").at("media_type") == "image/jpeg");
    BOOST_TEST(json::serialize(content[3]) ==
               R"({"type":"image","source":{"type":"url","url":"https://img.example/cat.webp"}})");
}

BOOST_AUTO_TEST_CASE(bad_images_are_refused_with_the_field_path) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user("x"), Message::user_parts({Part::txt("y"), Part::image("data:image/tiff;base64,AAAA")})};
    Prepared p = refused(h, r);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(p.error.param) == "messages[1].content[1].image_url.url");
    BOOST_TEST(contains(p.error.message, "image/tiff"));
    r.messages = {Message::user_parts({Part::image("data:image/png,rawbytes")})};
    p = refused(h, r);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    r.messages = {Message::user_parts({Part::image("ftp://x/y.png")})};
    p = refused(h, r);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(std::string(p.error.param) == "messages[0].content[0].image_url.url");
}

BOOST_AUTO_TEST_CASE(tools_tool_calls_and_tool_results) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user("Weather in Paris and time?"),
                  Message::assistant("Let me check.", {{"toolu_1", "get_weather", R"({"city":"Paris"})"},
                                                       {"toolu_2", "get_time", ""}}),
                  Message::tool("toolu_1", "18C"), Message::tool("toolu_2", "12:00"), Message::user("Thanks")};
    r.tools = {{"get_weather", "Weather for a city", R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})", true},
               {"get_time", "", "", false}};
    r.tool_choice = HELIX_TOOL_CHOICE_AUTO;
    const json::object b = prepared_body(h, r);
    const json::array &m = b.at("messages").as_array();
    BOOST_TEST_REQUIRE(m.size() == 3u);
    BOOST_TEST(json::serialize(m[1]) ==
               R"({"role":"assistant","content":[{"type":"text","text":"Let me check."},)"
               R"({"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},)"
               R"({"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}]})");
    // Both tool results and the following user text are one user turn, results first.
    BOOST_TEST(json::serialize(m[2]) ==
               R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},)"
               R"({"type":"tool_result","tool_use_id":"toolu_2","content":"12:00"},{"type":"text","text":"Thanks"}]})");
    const json::array &tools = b.at("tools").as_array();
    BOOST_TEST(json::serialize(tools[0]) ==
               R"({"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object",)"
               R"("properties":{"city":{"type":"string"}},"required":["city"]}})");
    BOOST_TEST(json::serialize(tools[1]) == R"({"name":"get_time","input_schema":{"type":"object"}})");
    BOOST_TEST(json::serialize(b.at("tool_choice")) == R"({"type":"auto"})");
}

BOOST_AUTO_TEST_CASE(tool_results_before_user_text_even_when_the_user_wrote_first) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user("q"), Message::assistant("", {{"toolu_1", "f", "{}"}}), Message::user("also this"),
                  Message::tool("toolu_1", "")};
    r.tools = {{"f", "", "", false}};
    const json::object b = prepared_body(h, r);
    const json::array &m = b.at("messages").as_array();
    BOOST_TEST(json::serialize(m[2]) == R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"},)"
                                        R"({"type":"text","text":"also this"}]})");
}

BOOST_AUTO_TEST_CASE(tool_choice_mapping) {
    Harness h(kConfig);
    Request r = base();
    r.tools = {{"f", "", "", false}};
    const std::vector<std::pair<helix_tool_choice, std::string>> cases{
        {HELIX_TOOL_CHOICE_AUTO, R"({"type":"auto"})"},
        {HELIX_TOOL_CHOICE_REQUIRED, R"({"type":"any"})"},
        {HELIX_TOOL_CHOICE_NONE, R"({"type":"none"})"},
        {HELIX_TOOL_CHOICE_NAMED, R"({"type":"tool","name":"f"})"}};
    r.tool_choice_name = "f";
    for (const auto &[choice, expected] : cases) {
        r.tool_choice = choice;
        BOOST_TEST(json::serialize(prepared_body(h, r).at("tool_choice")) == expected);
    }
    r.tool_choice = HELIX_TOOL_CHOICE_UNSET;
    BOOST_TEST(!prepared_body(h, r).contains("tool_choice"));
    r.parallel_tool_calls = 0;
    BOOST_TEST(json::serialize(prepared_body(h, r).at("tool_choice")) == R"({"type":"auto","disable_parallel_tool_use":true})");
    r.tool_choice = HELIX_TOOL_CHOICE_REQUIRED;
    BOOST_TEST(json::serialize(prepared_body(h, r).at("tool_choice")) == R"({"type":"any","disable_parallel_tool_use":true})");
}

BOOST_AUTO_TEST_CASE(sampling_stop_max_tokens_and_user) {
    Harness h(kConfig);
    Request r = base();
    r.present = HELIX_HAS_MAX_TOKENS | HELIX_HAS_TEMPERATURE | HELIX_HAS_TOP_P | HELIX_HAS_SEED;
    r.max_tokens = 256;
    r.temperature = 1.7; // OpenAI allows up to 2, Anthropic 1
    r.top_p = 0.9;
    r.seed = 42;
    r.stop = {"\n\nHuman:", "END"};
    r.user = "user-7";
    const json::object b = prepared_body(h, r);
    BOOST_TEST(b.at("max_tokens") == 256);
    BOOST_TEST(b.at("temperature") == 1.0);
    BOOST_TEST(b.at("top_p") == 0.9);
    BOOST_TEST(!b.contains("seed"));
    BOOST_TEST(json::serialize(b.at("stop_sequences")) == R"(["\n\nHuman:","END"])");
    BOOST_TEST(b.at("metadata").at("user_id") == "user-7");
}

BOOST_AUTO_TEST_CASE(n_above_one_is_not_supported) {
    Harness h(kConfig);
    Request r = base();
    r.n = 3;
    const Prepared p = refused(h, r);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(p.error.http_status == 400);
    BOOST_TEST(std::string(p.error.param) == "n");
    BOOST_TEST(contains(p.error.message, "one choice"));
}

BOOST_AUTO_TEST_CASE(response_format_becomes_a_forced_answer_tool) {
    Harness h(kConfig);
    Request r = base();
    r.response_format = HELIX_FORMAT_JSON_SCHEMA;
    r.response_schema_json = R"({"name":"city","schema":{"type":"object","properties":{"name":{"type":"string"}}}})";
    json::object b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("tools").as_array().back().at("input_schema")) ==
               R"({"type":"object","properties":{"name":{"type":"string"}}})");
    BOOST_TEST(b.at("tools").as_array().back().at("name") == "json_response");
    BOOST_TEST(json::serialize(b.at("tool_choice")) == R"({"type":"tool","name":"json_response"})");

    r.response_format = HELIX_FORMAT_JSON_OBJECT;
    r.messages = {Message::system("Be helpful."), Message::user("Hello")};
    b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("tools")).find(R"("input_schema":{"type":"object"})") != std::string::npos);
    BOOST_TEST(b.at("system") == "Be helpful.");

    // Beside client tools the model must call one of them or answer; while
    // thinking (no forced tool then) it is asked to.
    r.tools = {Tool{"get_weather", "", R"({"type":"object"})"}};
    BOOST_TEST(json::serialize(prepared_body(h, r).at("tool_choice")) == R"({"type":"any"})");
    r.reasoning_effort = HELIX_EFFORT_LOW;
    b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("tool_choice")) == R"({"type":"auto"})");
    BOOST_TEST(contains(std::string(b.at("system").as_string()), "json_response"));

    r.tools = {Tool{"json_response", "", ""}};
    BOOST_TEST(std::string(refused(h, r).error.param) == "tools[0].function.name");
    Request list = base();
    list.response_format = HELIX_FORMAT_JSON_SCHEMA;
    list.response_schema_json = R"({"name":"l","schema":{"type":"array"}})";
    BOOST_TEST(std::string(refused(h, list).error.param) == "response_format.json_schema.schema");
}

BOOST_AUTO_TEST_CASE(invalid_tool_arguments_and_schemas_name_the_field) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user("q"), Message::assistant("", {{"toolu_1", "f", "{broken"}})};
    Prepared p = refused(h, r);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(std::string(p.error.param) == "messages[1].tool_calls[0].function.arguments");
    r.messages = {Message::user("q"), Message::assistant("", {{"toolu_1", "f", "[1]"}})};
    p = refused(h, r);
    BOOST_TEST(std::string(p.error.param) == "messages[1].tool_calls[0].function.arguments");
    r = base();
    r.tools = {{"f", "", "[]", false}};
    p = refused(h, r);
    BOOST_TEST(std::string(p.error.param) == "tools[0].function.parameters");
    r = base();
    r.messages = {Message::tool("", "x")};
    p = refused(h, r);
    BOOST_TEST(std::string(p.error.param) == "messages[0].tool_call_id");
    r = base();
    r.messages = {Message::system("only a system prompt")};
    p = refused(h, r);
    BOOST_TEST(std::string(p.error.param) == "messages");
}

BOOST_AUTO_TEST_CASE(empty_texts_are_left_out) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user("q"), Message::assistant(""), Message::user_parts({Part::txt(""), Part::txt("x")})};
    const json::object b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("messages")) ==
               R"([{"role":"user","content":[{"type":"text","text":"q"},{"type":"text","text":"x"}]}])");
}

BOOST_AUTO_TEST_CASE(missing_key_and_bad_settings) {
    Harness none("{}");
    BOOST_TEST_REQUIRE(none.plugin() != nullptr);
    helix_error detail = make_error();
    BOOST_TEST(none.descriptor().health(none.plugin(), &detail) == HELIX_HEALTH_FAILING);
    Request r = base();
    const Prepared p = refused(none, r);
    BOOST_TEST(p.status == HELIX_ERR_CONFIG);
    BOOST_TEST(contains(p.error.message, "ANTHROPIC_API_KEY"));

    const std::vector<std::string> configs{R"({"max_tokens_default":0})", R"({"anthropic_version":""})",
                                           R"({"api-key":"x"})", R"({"models":{}})"};
    for (const std::string &config : configs) {
        Harness bad(config);
        BOOST_TEST(bad.plugin() == nullptr, config);
        BOOST_TEST(contains(bad.create_error().message, "settings"));
    }
}

BOOST_AUTO_TEST_CASE(default_models_have_no_multiple_choices) {
    Harness h(kConfig);
    const helix_model_info *const *models = nullptr;
    std::size_t count = 0;
    helix_error err = make_error();
    BOOST_TEST_REQUIRE(h.descriptor().list_models(h.plugin(), &models, &count, &err) == HELIX_OK);
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) {
        ids.push_back(sv(models[i]->id));
        BOOST_TEST((models[i]->capabilities & HELIX_MODEL_MULTIPLE_CHOICES) == 0u);
        BOOST_TEST((models[i]->capabilities & HELIX_MODEL_TOOLS) != 0u);
        BOOST_TEST(models[i]->context_window == 200000);
    }
    for (const char *id : {"claude-3-5-sonnet-20241022", "claude-3-opus-20240229", "claude-3-sonnet-20240229",
                           "claude-3-haiku-20240307"})
        BOOST_TEST((std::find(ids.begin(), ids.end(), id) != ids.end()), id);
}

BOOST_AUTO_TEST_CASE(an_unknown_role_is_a_400_naming_the_message) {
    Harness h(kConfig);
    check_unknown_role_refused(h, base());
}

// ----------------------------------------------------------------------------- reasoning

BOOST_AUTO_TEST_CASE(reasoning_effort_and_budget_become_thinking_that_fits_max_tokens) {
    Harness h(kConfig);
    Request r = base();
    r.reasoning_effort = HELIX_EFFORT_MEDIUM;
    json::object b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("thinking")) == R"({"type":"enabled","budget_tokens":8192})");
    BOOST_TEST(b.at("max_tokens") == 8192 + 4096); // max_tokens counts the thinking too

    r.reasoning_effort = HELIX_EFFORT_UNSET;
    r.present = HELIX_HAS_REASONING_BUDGET | HELIX_HAS_MAX_TOKENS;
    r.reasoning_budget_tokens = 5000;
    r.max_tokens = 3000; // the client's cap wins: the budget shrinks below it
    b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("thinking")) == R"({"type":"enabled","budget_tokens":2999})");
    BOOST_TEST(b.at("max_tokens") == 3000);

    r.max_tokens = 1024; // no room for Claude's smallest budget
    const Prepared p = refused(h, r);
    BOOST_TEST(std::string(p.error.param) == "max_tokens");

    Request plain = base();
    BOOST_TEST(!prepared_body(h, plain).contains("thinking"));
}

BOOST_AUTO_TEST_CASE(earlier_thinking_goes_back_first_and_byte_for_byte) {
    Harness h(kConfig);
    Request r = base();
    r.reasoning_effort = HELIX_EFFORT_LOW;
    Message assistant = Message::assistant("", {ToolCall{"toolu_1", "get_weather", R"({"city":"Paris"})"}});
    assistant.reasoning = {
        Reasoning{HELIX_REASONING_TEXT, "I should call \xC3\xA9 the tool.", "EqQBCgIYAh+/=", "", "anthropic-claude-v1"},
        Reasoning{HELIX_REASONING_REDACTED, "", "", "EmwKAhgB+/==", ""},
        Reasoning{HELIX_REASONING_TEXT, "unsigned: Claude would refuse it", "", ""},
        Reasoning{HELIX_REASONING_TEXT, "a Gemini thought", "CiQBjz1rX", "", "google-gemini-v1"},
    };
    r.messages = {Message::user("Weather?"), assistant, Message::tool("toolu_1", "sunny")};
    const json::object b = prepared_body(h, r);
    const json::array &messages = b.at("messages").as_array();
    BOOST_TEST_REQUIRE(messages.size() == 3U);
    BOOST_TEST(json::serialize(messages[1].at("content")) ==
               R"([{"type":"thinking","thinking":"I should call )" "\xC3\xA9" R"( the tool.","signature":"EqQBCgIYAh+/="},)"
               R"({"type":"redacted_thinking","data":"EmwKAhgB+/=="},)"
               R"({"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}])");
}

// Prompt caching: cache_control on a system part, a message, a content part
// and a tool reaches Claude where the client put it, with its ttl; without
// any breakpoint the system prompt stays one text.
BOOST_AUTO_TEST_CASE(cache_control_marks_system_messages_parts_and_tools) {
    Harness h(kConfig);
    Request r = base();
    Message system{HELIX_ROLE_SYSTEM, {}, true, {Part::txt("Long rules."), Part::txt("More.")}, {}, {}, {}, {}};
    system.parts[0].cache_control = HELIX_CACHE_EPHEMERAL_1H;
    Message user = Message::user_parts({Part::txt("Big document."), Part::txt("Question?")});
    user.parts[0].cache_control = HELIX_CACHE_EPHEMERAL;
    Message earlier = Message::assistant("Earlier answer.");
    earlier.cache_control = HELIX_CACHE_EPHEMERAL;
    r.messages = {system, Message::user("First"), earlier, user};
    r.tools = {{"lookup", "", R"({"type":"object"})"}, {"get_weather", "", R"({"type":"object"})"}};
    r.tools[1].cache_control = HELIX_CACHE_EPHEMERAL;
    const json::object b = prepared_body(h, r);
    BOOST_TEST(json::serialize(b.at("system")) ==
               R"([{"type":"text","text":"Long rules.","cache_control":{"type":"ephemeral","ttl":"1h"}},)"
               R"({"type":"text","text":"More."}])");
    const json::array &m = b.at("messages").as_array();
    BOOST_TEST(json::serialize(m[1]) ==
               R"({"role":"assistant","content":[{"type":"text","text":"Earlier answer.","cache_control":{"type":"ephemeral"}}]})");
    BOOST_TEST(json::serialize(m[2]) ==
               R"({"role":"user","content":[{"type":"text","text":"Big document.","cache_control":{"type":"ephemeral"}},)"
               R"({"type":"text","text":"Question?"}]})");
    BOOST_TEST(!b.at("tools").as_array()[0].as_object().contains("cache_control"));
    BOOST_TEST(json::serialize(b.at("tools").as_array()[1].at("cache_control")) == R"({"type":"ephemeral"})");

    // A tool message's breakpoint marks its tool_result block; no breakpoint
    // in the system prompt keeps it a string.
    Request t = base();
    Message result = Message::tool("toolu_1", "sunny");
    result.cache_control = HELIX_CACHE_EPHEMERAL;
    t.messages = {Message::system("Rules."), Message::user("weather?"),
                  Message::assistant("", {{"toolu_1", "get_weather", "{}"}}), result};
    const json::object tb = prepared_body(h, t);
    BOOST_TEST(tb.at("system") == "Rules.");
    BOOST_TEST(json::serialize(tb.at("messages").as_array()[2].at("content").as_array()[0]) ==
               R"({"type":"tool_result","tool_use_id":"toolu_1","content":"sunny","cache_control":{"type":"ephemeral"}})");
}

// Documents: a PDF as base64 or by URL, plain text as a text source, the
// file name as the title; other types and provider files are refused naming
// the part.
BOOST_AUTO_TEST_CASE(documents_become_document_blocks) {
    Harness h(kConfig);
    Request r = base();
    r.messages = {Message::user_parts({Part::txt("Read"), Part::document_bytes("application/pdf", "%PDF-1.4\n", "a.pdf"),
                                       Part::document_bytes("text/plain", "plain words"),
                                       Part::document_uri(HELIX_SOURCE_URL, "https://example.com/c.pdf")})};
    const json::object body = prepared_body(h, r);
    const json::array &content = body.at("messages").as_array()[0].as_object().at("content").as_array();
    BOOST_TEST_REQUIRE(content.size() == 4u);
    BOOST_TEST(json::serialize(content[1]) ==
               R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQK"},)"
               R"("title":"a.pdf"})");
    BOOST_TEST(json::serialize(content[2]) ==
               R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain words"}})");
    BOOST_TEST(json::serialize(content[3]) == R"({"type":"document","source":{"type":"url","url":"https://example.com/c.pdf"}})");

    for (Part part : {Part::document_bytes("text/csv", "a,b"), Part::document_uri(HELIX_SOURCE_FILE_URI, "gs://b/c.pdf")}) {
        Request bad = base();
        bad.messages = {Message::user_parts({Part::txt("x"), part})};
        const Prepared p = refused(h, bad);
        BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
        BOOST_TEST(std::string(p.error.param) == "messages[0].content[1]");
    }
}
