#define BOOST_TEST_MODULE plugins_gcp_vertex_prepare
#include <boost/test/unit_test.hpp>

#include "../plugin_test_support.hpp"
#include "../unknown_role_check.hpp"

using namespace helix::test;
namespace json = boost::json;

namespace {

const std::string kConfig = R"({"project_id":"proj-1","location":"europe-west4","access_token":"ya29.fixed-token"})";

Request user_request(std::string model = "gemini-1.5-pro") {
    Request r;
    r.model = std::move(model);
    r.messages = {Message::user("hello")};
    return r;
}

json::value prepared_body(const std::string &config, Request &r, std::string *url = nullptr) {
    Harness h(config);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    if (url != nullptr) *url = p.url;
    json::value body = p.json();
    h.descriptor().call_free(p.call);
    return body;
}

Prepared refused(Harness &h, Request &r) {
    Prepared p = h.prepare(r);
    BOOST_TEST(p.status != HELIX_OK);
    return p;
}

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(urls_follow_the_location_and_the_method) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST(p.url == "https://europe-west4-aiplatform.googleapis.com/v1/projects/proj-1/locations/europe-west4/"
                        "publishers/google/models/gemini-1.5-pro:generateContent");
    BOOST_TEST(p.header("Authorization") == "Bearer ya29.fixed-token");
    BOOST_TEST(p.header("Content-Type") == "application/json");
    BOOST_TEST(!p.streaming);
    h.descriptor().call_free(p.call);

    r.stream = true;
    p = h.prepare(r);
    BOOST_TEST(p.url.ends_with("/models/gemini-1.5-pro:streamGenerateContent?alt=sse"));
    BOOST_TEST(p.streaming);
    BOOST_TEST(p.header("Accept") == "text/event-stream");
    h.descriptor().call_free(p.call);

    Request bison = user_request("text-bison");
    bison.stream = true; // served as one final chunk: the upstream call does not stream
    p = h.prepare(bison);
    BOOST_TEST(p.url.ends_with("/models/text-bison:predict"));
    BOOST_TEST(!p.streaming);
    h.descriptor().call_free(p.call);

    std::string url;
    Request g = user_request();
    prepared_body(R"({"project_id":"p","location":"global","access_token":"t"})", g, &url);
    BOOST_TEST(url.starts_with("https://aiplatform.googleapis.com/v1/projects/p/locations/global/"));
    prepared_body(R"({"project_id":"p","location":"eu","access_token":"t"})", g, &url);
    BOOST_TEST(url.starts_with("https://aiplatform.eu.rep.googleapis.com/v1/projects/p/locations/eu/"));
    prepared_body(R"({"project_id":"p","endpoint":"http://127.0.0.1:8085/","api_version":"v1beta1","access_token":"t"})",
                  g, &url);
    BOOST_TEST(url == "http://127.0.0.1:8085/v1beta1/projects/p/locations/us-central1/publishers/google/models/"
                      "gemini-1.5-pro:generateContent");
}

BOOST_AUTO_TEST_CASE(the_catalog_is_the_bundled_models) {
    Harness h(kConfig);
    const helix_model_info *const *models = nullptr;
    std::size_t count = 0;
    helix_error err = make_error();
    BOOST_TEST_REQUIRE(h.descriptor().list_models(h.plugin(), &models, &count, &err) == HELIX_OK);
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) ids.push_back(sv(models[i]->id));
    // The first catalog's models first, then Gemini 2.x and 3.
    BOOST_TEST(ids == (std::vector<std::string>{"gemini-1.5-pro", "gemini-1.0-pro", "text-bison", "code-bison",
                                                "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite",
                                                "gemini-2.0-flash", "gemini-2.0-flash-lite", "gemini-3-pro-preview"}),
               boost::test_tools::per_element());
    BOOST_TEST((models[0]->capabilities & HELIX_MODEL_VISION) != 0u);
    BOOST_TEST((models[2]->capabilities & HELIX_MODEL_TOOLS) == 0u);
    for (std::size_t i = 4; i < count; ++i) {
        BOOST_TEST(models[i]->context_window == 1'048'576);
        BOOST_TEST((models[i]->capabilities & (HELIX_MODEL_VISION | HELIX_MODEL_TOOLS)) ==
                   static_cast<std::uint32_t>(HELIX_MODEL_VISION | HELIX_MODEL_TOOLS));
    }
    // 2.5 and 3 think; 2.0 does not.
    BOOST_TEST((models[4]->capabilities & HELIX_MODEL_REASONING) != 0u);
    BOOST_TEST((models[9]->capabilities & HELIX_MODEL_REASONING) != 0u);
    BOOST_TEST((models[7]->capabilities & HELIX_MODEL_REASONING) == 0u);
}

BOOST_AUTO_TEST_CASE(a_conversation_becomes_contents_with_system_instruction_and_function_parts) {
    Request r = user_request();
    r.messages = {
        Message::system("Be brief."),
        Message::developer("Use metric units."),
        Message::user_parts({Part::txt("What is in these?"), Part::image("data:image/png;base64,iVBORw0KGgo="),
                             Part::image("https://img.example/cat.JPG?size=2")}),
        Message::assistant("Let me check.", {ToolCall{"call_a", "weather", R"({"city":"Oslo"})"},
                                             ToolCall{"call_b", "time", ""}}),
        Message::tool("call_a", R"({"temp_c":3})"),
        Message::tool("call_b", "12:00"),
        Message::user("Thanks"),
    };
    const json::value body = prepared_body(kConfig, r);
    BOOST_TEST(json::serialize(body.at("systemInstruction")) ==
               R"({"parts":[{"text":"Be brief."},{"text":"Use metric units."}]})");
    const json::array &contents = body.at("contents").as_array();
    BOOST_TEST_REQUIRE(contents.size() == 3u);
    BOOST_TEST(json::serialize(contents[0]) ==
               R"({"role":"user","parts":[{"text":"What is in these?"},)"
               R"({"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},)"
               R"({"fileData":{"mimeType":"image/jpeg","fileUri":"https://img.example/cat.JPG?size=2"}}]})");
    BOOST_TEST(json::serialize(contents[1]) ==
               R"({"role":"model","parts":[{"text":"Let me check."},)"
               R"({"functionCall":{"name":"weather","args":{"city":"Oslo"}}},)"
               R"({"functionCall":{"name":"time","args":{}}}]})");
    // Both results in one user turn, with the user's next words.
    BOOST_TEST(json::serialize(contents[2]) ==
               R"({"role":"user","parts":[{"functionResponse":{"name":"weather","response":{"temp_c":3}}},)"
               R"({"functionResponse":{"name":"time","response":{"content":"12:00"}}},{"text":"Thanks"}]})");
}

BOOST_AUTO_TEST_CASE(tools_are_function_declarations_with_a_vertex_schema) {
    Request r = user_request();
    r.tools = {Tool{"get_weather", "Weather now",
                    R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
                        "properties":{"city":{"type":"string","description":"City"},
                                      "days":{"type":["integer","null"],"minimum":1},
                                      "tags":{"type":"array","items":{"type":"string","enum":["a","b"]}}},
                        "required":["city"]})"},
                Tool{"ping", "", R"({"type":"object","properties":{}})"}};
    r.tool_choice = HELIX_TOOL_CHOICE_NAMED;
    r.tool_choice_name = "get_weather";
    const json::value body = prepared_body(kConfig, r);
    BOOST_TEST(json::serialize(body.at("tools")) ==
               R"([{"functionDeclarations":[{"name":"get_weather","description":"Weather now","parameters":)"
               R"({"type":"OBJECT","properties":{"city":{"type":"STRING","description":"City"},)"
               R"("days":{"type":"INTEGER","nullable":true,"minimum":1},)"
               R"("tags":{"type":"ARRAY","items":{"type":"STRING","enum":["a","b"]}}},"required":["city"]}},)"
               R"({"name":"ping"}]}])");
    BOOST_TEST(json::serialize(body.at("toolConfig")) ==
               R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}})");
    r.tool_choice = HELIX_TOOL_CHOICE_REQUIRED;
    BOOST_TEST(json::serialize(prepared_body(kConfig, r).at("toolConfig")) == R"({"functionCallingConfig":{"mode":"ANY"}})");
    r.tool_choice = HELIX_TOOL_CHOICE_NONE;
    BOOST_TEST(json::serialize(prepared_body(kConfig, r).at("toolConfig")) == R"({"functionCallingConfig":{"mode":"NONE"}})");
    r.tool_choice = HELIX_TOOL_CHOICE_UNSET;
    BOOST_TEST(!prepared_body(kConfig, r).as_object().contains("toolConfig"));
}

BOOST_AUTO_TEST_CASE(sampling_settings_go_to_generation_config) {
    Request r = user_request();
    r.present = HELIX_HAS_TEMPERATURE | HELIX_HAS_TOP_P | HELIX_HAS_MAX_TOKENS | HELIX_HAS_SEED;
    r.temperature = 0.5;
    r.top_p = 0.9;
    r.max_tokens = 100;
    r.seed = 7;
    r.n = 2;
    r.stop = {"END"};
    r.response_format = HELIX_FORMAT_JSON_SCHEMA;
    r.response_schema_json = R"({"name":"answer","strict":true,"schema":{"type":"object","properties":{"x":{"type":"number"}},"additionalProperties":false}})";
    const json::value body = prepared_body(kConfig, r);
    BOOST_TEST(json::serialize(body.at("generationConfig")) ==
               R"({"temperature":5E-1,"topP":9E-1,"maxOutputTokens":100,"seed":7,"candidateCount":2,)"
               R"("stopSequences":["END"],"responseMimeType":"application/json",)"
               R"("responseSchema":{"type":"OBJECT","properties":{"x":{"type":"NUMBER"}}}})");
    Request plain = user_request();
    BOOST_TEST(!prepared_body(kConfig, plain).as_object().contains("generationConfig"));
}

BOOST_AUTO_TEST_CASE(requests_vertex_cannot_express_are_refused_naming_the_field) {
    Harness h(kConfig);
    Request orphan = user_request();
    orphan.messages = {Message::user("hi"), Message::tool("call_zzz", "result")};
    Prepared p = refused(h, orphan);
    BOOST_TEST(std::string(p.error.param) == "messages[1].tool_call_id");
    BOOST_TEST(contains(p.error.message, "matches no tool call"));

    Request image = user_request();
    image.messages = {Message::user_parts({Part::image("https://img.example/picture")})};
    p = refused(h, image);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(p.error.param) == "messages[0].content[0].image_url.url");

    Request system_image = user_request();
    system_image.messages = {Message{HELIX_ROLE_SYSTEM, {}, true, {Part::image("data:image/png;base64,AA==")}, {}, {}, {}},
                             Message::user("x")};
    BOOST_TEST(refused(h, system_image).status == HELIX_ERR_NOT_SUPPORTED);

    Request arguments = user_request();
    arguments.messages = {Message::user("x"), Message::assistant("", {ToolCall{"c1", "f", "[1,2]"}})};
    p = refused(h, arguments);
    BOOST_TEST(std::string(p.error.param) == "messages[1].tool_calls[0].function.arguments");

    Request empty = user_request();
    empty.messages = {Message::system("only a system prompt")};
    p = refused(h, empty);
    BOOST_TEST(std::string(p.error.param) == "messages");

    Request bison_tools = user_request("code-bison");
    bison_tools.tools = {Tool{"f", "", ""}};
    p = refused(h, bison_tools);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(p.error.param) == "tools");
}

BOOST_AUTO_TEST_CASE(predict_models_get_one_flattened_prompt) {
    Request single = user_request("text-bison");
    single.messages = {Message::system("You are terse."), Message::user("Name a colour.")};
    single.present = HELIX_HAS_TEMPERATURE | HELIX_HAS_MAX_TOKENS;
    single.temperature = 0.2;
    single.max_tokens = 64;
    single.stop = {"\n\n"};
    BOOST_TEST(json::serialize(prepared_body(kConfig, single)) ==
               R"({"instances":[{"prompt":"You are terse.\n\nName a colour."}],)"
               R"("parameters":{"temperature":2E-1,"maxOutputTokens":64,"stopSequences":["\n\n"]}})");

    Request chat = user_request("code-bison");
    chat.messages = {Message::user("Write hello in C."), Message::assistant("puts(\"hello\");"),
                     Message::user("Now in Go.")};
    BOOST_TEST(json::serialize(prepared_body(kConfig, chat)) ==
               R"({"instances":[{"prefix":"User: Write hello in C.\n\nAssistant: puts(\"hello\");\n\n)"
               R"(User: Now in Go.\n\nAssistant:"}]})");
}

BOOST_AUTO_TEST_CASE(settings_errors_name_the_setting) {
    Harness none(R"({"access_token":"secret-token-value"})");
    BOOST_TEST(none.plugin() == nullptr);
    BOOST_TEST(contains(none.create_error().message, "settings.project_id is required (GCP_VERTEX_PROJECT_ID)"));
    BOOST_TEST(!contains(none.create_error().message, "secret-token-value"));
    Harness location(R"({"project_id":"p","location":"us-central1/../x"})");
    BOOST_TEST(location.plugin() == nullptr);
    Harness version(R"({"project_id":"p","api_version":"v2"})");
    BOOST_TEST(version.plugin() == nullptr);
    Harness typo(R"({"project_id":"p","acess_token":"x"})");
    BOOST_TEST(typo.plugin() == nullptr);
    Harness missing(R"({"project_id":"p","credentials_file":"/nonexistent/key.json"})");
    BOOST_TEST(missing.plugin() == nullptr);
    BOOST_TEST(contains(missing.create_error().message, "does not exist (GOOGLE_APPLICATION_CREDENTIALS)"));
}

BOOST_AUTO_TEST_CASE(an_unknown_role_is_a_400_naming_the_message) {
    Harness h(kConfig);
    check_unknown_role_refused(h, user_request());
}

// thinkingBudget for Gemini 2.5, thinkingLevel for Gemini 3, never both; the
// earlier turn's thoughts and signatures go back where Gemini put them.
BOOST_AUTO_TEST_CASE(reasoning_becomes_thinking_config_and_signatures_go_back) {
    Request r = user_request("gemini-2.5-flash");
    r.reasoning_effort = HELIX_EFFORT_MEDIUM;
    json::value body = prepared_body(kConfig, r);
    BOOST_TEST(json::serialize(body.at("generationConfig").at("thinkingConfig")) ==
               R"({"thinkingBudget":8192,"includeThoughts":true})");
    r.model = "gemini-3-pro-preview";
    body = prepared_body(kConfig, r);
    BOOST_TEST(json::serialize(body.at("generationConfig").at("thinkingConfig")) ==
               R"({"thinkingLevel":"HIGH","includeThoughts":true})");
    r.reasoning_effort = HELIX_EFFORT_LOW;
    BOOST_TEST(prepared_body(kConfig, r).at("generationConfig").at("thinkingConfig").at("thinkingLevel") == "LOW");
    r.model = "gemini-1.5-pro";
    body = prepared_body(kConfig, r);
    BOOST_TEST(!(body.as_object().contains("generationConfig") && body.at("generationConfig").as_object().contains("thinkingConfig")));

    Request back = user_request("gemini-3-pro-preview");
    Message calls = Message::assistant("", {ToolCall{"c1", "weather", R"({"city":"Oslo"})", "CiQBjz1rX+/sig=="},
                                            ToolCall{"c2", "time", "{}"}});
    calls.reasoning = {Reasoning{HELIX_REASONING_TEXT, "Planning.", "", "", "google-gemini-v1"},
                       Reasoning{HELIX_REASONING_TEXT, "Claude's", "EqQ", "", "anthropic-claude-v1"}};
    Message answer = Message::assistant("Sunny.");
    answer.reasoning = {Reasoning{HELIX_REASONING_REDACTED, "", "", "Ct0BAR+/text==", "google-gemini-v1"}};
    back.messages = {Message::user("Weather?"), calls, Message::tool("c1", "sunny"), Message::tool("c2", "noon"),
                     answer, Message::user("Thanks")};
    body = prepared_body(kConfig, back);
    const json::array &contents = body.at("contents").as_array();
    BOOST_TEST(json::serialize(contents[1].at("parts")) ==
               R"([{"text":"Planning.","thought":true},)"
               R"({"functionCall":{"name":"weather","args":{"city":"Oslo"}},"thoughtSignature":"CiQBjz1rX+/sig=="},)"
               R"({"functionCall":{"name":"time","args":{}}}])");
    BOOST_TEST(json::serialize(contents[3].at("parts")) == R"([{"text":"Sunny.","thoughtSignature":"Ct0BAR+/text=="}])");
}

// Documents: bytes as inlineData, gs:// URIs and YouTube videos as fileData
// (Gemini reads them itself); a type or source Vertex does not take is
// refused naming the part.
BOOST_AUTO_TEST_CASE(documents_become_inline_data_or_file_data) {
    Request r = user_request();
    r.messages = {Message::user_parts({Part::txt("Read"), Part::document_bytes("application/pdf", "%PDF-1.4\n", "a.pdf"),
                                       Part::document_uri(HELIX_SOURCE_FILE_URI, "gs://bucket/b.pdf"),
                                       Part::document_uri(HELIX_SOURCE_FILE_URI, "https://www.youtube.com/watch?v=x")})};
    const json::value body = prepared_body(kConfig, r);
    BOOST_TEST(json::serialize(body.at("contents").as_array()[0]) ==
               R"({"role":"user","parts":[{"text":"Read"},)"
               R"({"inlineData":{"mimeType":"application/pdf","data":"JVBERi0xLjQK"}},)"
               R"({"fileData":{"mimeType":"application/pdf","fileUri":"gs://bucket/b.pdf"}},)"
               R"({"fileData":{"mimeType":"video/mp4","fileUri":"https://www.youtube.com/watch?v=x"}}]})");

    Harness h(kConfig);
    const auto refused = [&](Part part) {
        Request bad = user_request();
        bad.messages = {Message::user_parts({Part::txt("x"), std::move(part)})};
        const Prepared p = h.prepare(bad);
        BOOST_TEST(p.call == nullptr);
        BOOST_TEST(std::string(p.error.param) == "messages[0].content[1]");
        return p.status;
    };
    BOOST_TEST(refused(Part::document_bytes("application/zip", "PK")) == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(refused(Part::document_uri(HELIX_SOURCE_FILE_URI, "gs://bucket/archive")) == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(refused(Part::document_uri(HELIX_SOURCE_URL, "https://example.com/a.pdf")) == HELIX_ERR_NOT_SUPPORTED);
}
