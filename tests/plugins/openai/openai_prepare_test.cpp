#define BOOST_TEST_MODULE plugins_openai_prepare
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"

#include <boost/json.hpp>

using namespace helix::test;
namespace json = boost::json;

namespace {

const std::string kKey = "sk-test-0123456789abcdef";
const std::string kConfig = R"({"api_key":")" + kKey + R"("})";

Request client_request(std::string body) {
    Request r;
    r.model = "gpt-4o-2024-08-06"; // the upstream id the router chose
    r.messages = {Message::user("Hi")};
    r.original_body = std::move(body);
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(non_streaming_passes_the_clients_body_through_with_the_upstream_model) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr);
    Request r = client_request(
        R"({"model":"openai/gpt-4o","messages":[{"role":"user","content":"Hi"}],"logit_bias":{"50256":-100},)"
        R"("presence_penalty":0.5,"reasoning_effort":"low","stream":false,"stream_options":{"include_usage":true}})");
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK);
    BOOST_TEST(p.method == "POST");
    BOOST_TEST(p.url == "https://api.openai.com/v1/chat/completions");
    BOOST_TEST(p.header("Authorization") == "Bearer " + kKey);
    BOOST_TEST(p.header("Content-Type") == "application/json");
    BOOST_TEST(p.header("Accept") == "application/json");
    BOOST_TEST(!p.has_header("OpenAI-Organization"));
    BOOST_TEST(!p.streaming);
    const json::object body = p.json();
    BOOST_TEST(body.at("model") == "gpt-4o-2024-08-06");
    BOOST_TEST(body.at("logit_bias").at("50256") == -100);
    BOOST_TEST(body.at("presence_penalty") == 0.5);
    BOOST_TEST(body.at("reasoning_effort") == "low");
    BOOST_TEST(body.at("stream") == false);
    BOOST_TEST(!body.contains("stream_options")); // OpenAI rejects it without stream
    BOOST_TEST(body.at("messages").as_array().size() == 1u);
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(only_the_documented_fields_that_neither_store_nor_bill_more_are_forwarded) {
    const std::string body =
        R"({"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"tools":[],)"
        R"("store":true,"metadata":{"a":"b"},"service_tier":"priority","audio":{"voice":"alloy"},)"
        R"("modalities":["text","audio"],"x_unknown":1})";
    Harness h(kConfig);
    Request r = client_request(body);
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    const json::object sent = p.json();
    BOOST_TEST(sent.at("temperature") == 0.2);
    BOOST_TEST(sent.contains("tools"));
    for (const char *dropped : {"store", "metadata", "service_tier", "audio", "modalities", "x_unknown"})
        BOOST_TEST(!sent.contains(dropped), dropped << " was forwarded");
    h.descriptor().call_free(p.call);

    // The operator may forward more.
    Harness more(R"({"api_key":")" + kKey + R"(","extra_fields":["store","service_tier"]})");
    BOOST_TEST_REQUIRE(more.plugin() != nullptr, more.create_error().message);
    Request again = client_request(body);
    const Prepared q = more.prepare(again);
    BOOST_TEST_REQUIRE(q.status == HELIX_OK, q.error.message);
    BOOST_TEST(q.json().at("store") == true);
    BOOST_TEST(q.json().at("service_tier") == "priority");
    BOOST_TEST(!q.json().contains("audio"));
    more.descriptor().call_free(q.call);

    Harness bad(R"({"api_key":")" + kKey + R"(","extra_fields":"store"})");
    BOOST_TEST(bad.plugin() == nullptr);
    BOOST_TEST(std::string(bad.create_error().message).find("settings.extra_fields") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_key_is_never_sent_over_plain_http_except_to_loopback) {
    Harness remote(R"({"api_key":")" + kKey + R"(","base_url":"http://proxy.example.test/v1"})");
    BOOST_TEST(remote.plugin() == nullptr);
    const std::string message = remote.create_error().message;
    BOOST_TEST(message.find("settings.base_url is http://") != std::string::npos, message);
    BOOST_TEST(message.find(kKey) == std::string::npos);
    Harness local(R"({"api_key":")" + kKey + R"(","base_url":"http://127.0.0.1:8080/v1"})");
    BOOST_TEST(local.plugin() != nullptr, local.create_error().message);
}

BOOST_AUTO_TEST_CASE(streaming_forces_include_usage_upstream_and_keeps_other_stream_options) {
    Harness h(kConfig);
    Request r = client_request(
        R"({"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"stream":true,)"
        R"("stream_options":{"include_usage":false,"include_obfuscation":false}})");
    r.stream = true;
    r.include_usage = false;
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK);
    BOOST_TEST(p.streaming);
    BOOST_TEST(p.header("Accept") == "text/event-stream");
    const json::object body = p.json();
    BOOST_TEST(body.at("stream") == true);
    BOOST_TEST(body.at("stream_options").at("include_usage") == true);
    BOOST_TEST(body.at("stream_options").at("include_obfuscation") == false);
    h.descriptor().call_free(p.call);

    // No stream_options at all from the client: added.
    Request r2 = client_request(R"({"model":"gpt-4o","messages":[],"stream":true})");
    r2.stream = true;
    const Prepared p2 = h.prepare(r2);
    BOOST_TEST_REQUIRE(p2.status == HELIX_OK);
    BOOST_TEST(p2.json().at("stream_options").at("include_usage") == true);
    h.descriptor().call_free(p2.call);
}

BOOST_AUTO_TEST_CASE(organization_project_and_base_url) {
    Harness h(R"({"api_key":"k-1234","organization":"org-1","project":"proj_2","base_url":"https://gw.example.com/openai/v1/"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr);
    Request r = client_request(R"({"model":"x","messages":[]})");
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK);
    BOOST_TEST(p.url == "https://gw.example.com/openai/v1/chat/completions");
    BOOST_TEST(p.header("OpenAI-Organization") == "org-1");
    BOOST_TEST(p.header("OpenAI-Project") == "proj_2");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(a_missing_api_key_fails_health_and_prepare_but_not_create) {
    Harness h("{}");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr);
    helix_error detail = make_error();
    BOOST_TEST(h.descriptor().health(h.plugin(), &detail) == HELIX_HEALTH_FAILING);
    BOOST_TEST(contains(detail.message, "api_key"));
    BOOST_TEST(h.host().logs.size() == 1u);
    Request r = client_request(R"({"model":"x","messages":[]})");
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_CONFIG);
    BOOST_TEST(contains(p.error.message, "OPENAI_API_KEY"));
    BOOST_TEST(p.call == nullptr);

    // A local simulator needs no key: no Authorization header is sent.
    Harness local(R"({"base_url":"http://127.0.0.1:8090/v1"})");
    BOOST_TEST(local.descriptor().health(local.plugin(), &detail) == HELIX_HEALTH_OK);
    const Prepared q = local.prepare(r);
    BOOST_TEST_REQUIRE(q.status == HELIX_OK);
    BOOST_TEST(q.url == "http://127.0.0.1:8090/v1/chat/completions");
    BOOST_TEST(!q.has_header("Authorization"));
    local.descriptor().call_free(q.call);
}

BOOST_AUTO_TEST_CASE(bad_settings_refuse_creation_without_quoting_values) {
    const std::vector<std::string> configs{R"({"base_url":"not a url","api_key":")" + kKey + R"("})",
                                           R"({"apikey":")" + kKey + R"("})", R"({"models":[1]})", "[]",
                                           R"({"api_key":")" + kKey + R"(\n"})"};
    for (const std::string &config : configs) {
        Harness h(config);
        BOOST_TEST(h.plugin() == nullptr, config);
        BOOST_TEST(std::string(h.create_error().message).find(kKey) == std::string::npos);
        BOOST_TEST(contains(h.create_error().message, "settings"), h.create_error().message);
        // --check-config gives the same verdict.
        helix_error err = make_error();
        BOOST_TEST(h.descriptor().validate_config(hs(config), &err) == HELIX_ERR_CONFIG);
    }
    helix_error err = make_error();
    const std::string good = kConfig;
    BOOST_TEST(helix_plugin_entry(HELIX_ABI_MAJOR, HELIX_ABI_MINOR)->validate_config(hs(good), &err) == HELIX_OK);
}

BOOST_AUTO_TEST_CASE(default_models_and_configured_models) {
    Harness h(kConfig);
    const helix_model_info *const *models = nullptr;
    std::size_t count = 0;
    helix_error err = make_error();
    BOOST_TEST_REQUIRE(h.descriptor().list_models(h.plugin(), &models, &count, &err) == HELIX_OK);
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) ids.push_back(sv(models[i]->id));
    for (const char *id : {"gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-4", "gpt-3.5-turbo"})
        BOOST_TEST((std::find(ids.begin(), ids.end(), id) != ids.end()), id);
    BOOST_TEST(std::string(h.descriptor().name) == "openai");
    for (std::size_t i = 0; i < count; ++i) {
        BOOST_TEST((models[i]->capabilities & HELIX_MODEL_STREAMING) != 0u);
        BOOST_TEST((models[i]->capabilities & HELIX_MODEL_MULTIPLE_CHOICES) != 0u);
        if (sv(models[i]->id) == "gpt-4o") BOOST_TEST((models[i]->capabilities & HELIX_MODEL_VISION) != 0u);
        if (sv(models[i]->id) == "gpt-4") BOOST_TEST((models[i]->capabilities & HELIX_MODEL_VISION) == 0u);
    }

    Harness custom(R"({"api_key":"k-1234","models":["gpt-4o",{"id":"fast","upstream_id":"gpt-4o-mini"}]})");
    BOOST_TEST_REQUIRE(custom.descriptor().list_models(custom.plugin(), &models, &count, &err) == HELIX_OK);
    BOOST_TEST_REQUIRE(count == 2u);
    BOOST_TEST(sv(models[1]->id) == "fast");
    BOOST_TEST(sv(models[1]->upstream_id) == "gpt-4o-mini");
    BOOST_TEST(models[1]->context_window == 0);
}

BOOST_AUTO_TEST_CASE(without_original_body_the_body_is_built_from_the_canonical_request) {
    Harness h(kConfig);
    Request r;
    r.model = "gpt-4o";
    r.messages = {Message::system("Be brief."),
                  Message::user_parts({Part::txt("What is this?"), Part::image("https://img.example/cat.png", "low"),
                                       Part::image("data:image/png;base64,iVBORw0KGgo=")}),
                  Message::assistant("", {{"call_1", "get_weather", R"({"city":"Paris"})"}}),
                  Message::tool("call_1", "18C, sunny")};
    r.tools = {{"get_weather", "Weather for a city", R"({"type":"object","properties":{"city":{"type":"string"}}})", true}};
    r.tool_choice = HELIX_TOOL_CHOICE_NAMED;
    r.tool_choice_name = "get_weather";
    r.parallel_tool_calls = 0;
    r.stop = {"END", "STOP"};
    r.n = 2;
    r.present = HELIX_HAS_MAX_TOKENS | HELIX_HAS_TEMPERATURE | HELIX_HAS_SEED;
    r.max_tokens = 100;
    r.temperature = 0.25;
    r.seed = 7;
    r.response_format = HELIX_FORMAT_JSON_OBJECT;
    r.user = "u-1";
    r.stream = true;
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK);
    const json::object b = p.json();
    BOOST_TEST(b.at("model") == "gpt-4o");
    const json::array &m = b.at("messages").as_array();
    BOOST_TEST_REQUIRE(m.size() == 4u);
    BOOST_TEST(m[0].at("role") == "system");
    BOOST_TEST(m[0].at("content") == "Be brief.");
    BOOST_TEST(m[1].at("content").as_array()[1].at("image_url").at("url") == "https://img.example/cat.png");
    BOOST_TEST(m[1].at("content").as_array()[1].at("image_url").at("detail") == "low");
    BOOST_TEST(m[1].at("content").as_array()[2].at("type") == "image_url");
    BOOST_TEST(m[2].at("content").is_null());
    BOOST_TEST(m[2].at("tool_calls").as_array()[0].at("function").at("arguments") == R"({"city":"Paris"})");
    BOOST_TEST(m[3].at("role") == "tool");
    BOOST_TEST(m[3].at("tool_call_id") == "call_1");
    BOOST_TEST(b.at("tools").as_array()[0].at("function").at("parameters").at("type") == "object");
    BOOST_TEST(b.at("tools").as_array()[0].at("function").at("strict") == true);
    BOOST_TEST(b.at("tool_choice").at("function").at("name") == "get_weather");
    BOOST_TEST(b.at("parallel_tool_calls") == false);
    BOOST_TEST(b.at("stop").as_array().size() == 2u);
    BOOST_TEST(b.at("n") == 2);
    BOOST_TEST(b.at("max_completion_tokens") == 100);
    BOOST_TEST(b.at("temperature") == 0.25);
    BOOST_TEST(b.at("seed") == 7);
    BOOST_TEST(!b.contains("top_p"));
    BOOST_TEST(b.at("response_format").at("type") == "json_object");
    BOOST_TEST(b.at("user") == "u-1");
    BOOST_TEST(b.at("stream_options").at("include_usage") == true);
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_an_object_is_an_invalid_request) {
    Harness h(kConfig);
    Request r = client_request("[1,2]");
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(p.error.http_status == 400);
    Request bad_tool;
    bad_tool.tools = {{"f", "", "{not json", false}};
    const Prepared q = h.prepare(bad_tool);
    BOOST_TEST(q.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(std::string(q.error.param) == "tools[0].function.parameters");
}
