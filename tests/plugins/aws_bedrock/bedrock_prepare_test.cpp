#define BOOST_TEST_MODULE plugins_aws_bedrock_prepare
#include <boost/test/unit_test.hpp>

#include "bedrock_test_support.hpp"
#include "../unknown_role_check.hpp"

#include "plugins/aws_bedrock/bedrock_settings.hpp"

#include <algorithm>

using namespace helix::test;
using namespace helix::test::bedrock;
namespace json = boost::json;

namespace {

const std::string kKeyId = "AKIDEXAMPLE";
const std::string kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string kToken = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//session+token=";
const std::string kConfig = R"({"access_key_id":")" + kKeyId + R"(","secret_access_key":")" + kSecret + R"("})";

Request user_request(std::string model = "anthropic.claude-3-sonnet-20240229-v1:0", bool stream = false) {
    Request r;
    r.model = std::move(model);
    r.stream = stream;
    r.messages = {Message::user("Hello")};
    return r;
}

struct Prepare {
    Harness &h;
    Prepared p;
    Prepare(Harness &harness, Request &r) : h(harness), p(harness.prepare(r)) {}
    ~Prepare() {
        if (p.call != nullptr) h.descriptor().call_free(p.call);
    }
};

json::object body_of(Harness &h, Request &r) {
    Prepare x(h, r);
    BOOST_TEST_REQUIRE(x.p.status == HELIX_OK, x.p.error.message);
    return x.p.json();
}

} // namespace

BOOST_AUTO_TEST_CASE(the_catalog_lists_the_default_models_under_short_names_and_full_ids) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const helix_model_info *const *models = nullptr;
    std::size_t count = 0;
    helix_error err = make_error();
    BOOST_TEST_REQUIRE(h.descriptor().list_models(h.plugin(), &models, &count, &err) == HELIX_OK);
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < count; ++i)
        lines.push_back(sv(models[i]->id) + " -> " + sv(models[i]->upstream_id) + " caps=" +
                        std::to_string(models[i]->capabilities) + " ctx=" + std::to_string(models[i]->context_window));
    // The first catalog's models, first under their short names, then under their full ids.
    const std::vector<std::string> seed{
        "anthropic.claude-3-sonnet -> anthropic.claude-3-sonnet-20240229-v1:0 caps=1223 ctx=200000",
        "anthropic.claude-3-opus -> anthropic.claude-3-opus-20240229-v1:0 caps=1223 ctx=200000",
        "meta.llama3-70b-instruct -> meta.llama3-70b-instruct-v1:0 caps=1 ctx=8192",
        "amazon.titan-text-express -> amazon.titan-text-express-v1 caps=1 ctx=8192"};
    const std::vector<std::string> seed_ids{
        "anthropic.claude-3-sonnet-20240229-v1:0 -> anthropic.claude-3-sonnet-20240229-v1:0 caps=1223 ctx=200000",
        "anthropic.claude-3-opus-20240229-v1:0 -> anthropic.claude-3-opus-20240229-v1:0 caps=1223 ctx=200000",
        "meta.llama3-70b-instruct-v1:0 -> meta.llama3-70b-instruct-v1:0 caps=1 ctx=8192",
        "amazon.titan-text-express-v1 -> amazon.titan-text-express-v1 caps=1 ctx=8192"};
    BOOST_TEST_REQUIRE(lines.size() % 2 == 0u);
    const std::size_t half = lines.size() / 2;
    BOOST_TEST_REQUIRE(half >= seed.size());
    for (std::size_t i = 0; i < seed.size(); ++i) {
        BOOST_TEST(lines[i] == seed[i]);
        BOOST_TEST(lines[half + i] == seed_ids[i]);
    }
    const auto listed = [&](const std::string &line) {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    };
    // Current models: Claude 4.x through the us. inference profile in
    // us-east-1 (streaming, tools, vision, reasoning, documents, Messages,
    // inline media: 1255), Llama 4, Nova, Titan Text Premier.
    for (const char *line :
         {"anthropic.claude-sonnet-4-5 -> us.anthropic.claude-sonnet-4-5-20250929-v1:0 caps=1255 ctx=200000",
          "us.anthropic.claude-sonnet-4-5-20250929-v1:0 -> us.anthropic.claude-sonnet-4-5-20250929-v1:0 caps=1255 "
          "ctx=200000",
          "anthropic.claude-opus-4-5 -> us.anthropic.claude-opus-4-5-20251101-v1:0 caps=1255 ctx=200000",
          "anthropic.claude-haiku-4-5 -> us.anthropic.claude-haiku-4-5-20251001-v1:0 caps=1255 ctx=200000",
          "anthropic.claude-3-haiku -> anthropic.claude-3-haiku-20240307-v1:0 caps=1223 ctx=200000",
          "meta.llama4-maverick-17b-instruct -> us.meta.llama4-maverick-17b-instruct-v1:0 caps=1095 ctx=1000000",
          "meta.llama3-3-70b-instruct -> us.meta.llama3-3-70b-instruct-v1:0 caps=3 ctx=128000",
          "amazon.nova-pro -> amazon.nova-pro-v1:0 caps=1095 ctx=300000",
          "amazon.nova-micro -> amazon.nova-micro-v1:0 caps=3 ctx=128000",
          "amazon.nova-premier -> us.amazon.nova-premier-v1:0 caps=1095 ctx=1000000",
          "amazon.titan-text-premier -> amazon.titan-text-premier-v1:0 caps=1 ctx=32000"})
        BOOST_TEST(listed(line), line);
    BOOST_TEST(std::string(h.descriptor().name) == "aws_bedrock");
    BOOST_TEST(h.descriptor().validate_config != nullptr);
}

BOOST_AUTO_TEST_CASE(inference_profiles_follow_the_region_geography) {
    namespace ab = helix::aws_bedrock;
    BOOST_TEST(ab::profile_geography("us-east-1") == "us");
    BOOST_TEST(ab::profile_geography("ca-central-1") == "us");
    BOOST_TEST(ab::profile_geography("eu-west-3") == "eu");
    BOOST_TEST(ab::profile_geography("ap-northeast-1") == "apac");
    BOOST_TEST(ab::profile_geography("us-gov-west-1").empty());
    BOOST_TEST(ab::profile_geography("sa-east-1").empty());
    BOOST_TEST(ab::regional_upstream_id("anthropic.claude-sonnet-4-5", "eu-central-1") ==
               "eu.anthropic.claude-sonnet-4-5-20250929-v1:0");
    BOOST_TEST(ab::regional_upstream_id("anthropic.claude-sonnet-4-5", "ap-southeast-2") ==
               "apac.anthropic.claude-sonnet-4-5-20250929-v1:0");
    // No geography profile there: the global one, else the model's own id.
    BOOST_TEST(ab::regional_upstream_id("anthropic.claude-sonnet-4-5", "sa-east-1") ==
               "global.anthropic.claude-sonnet-4-5-20250929-v1:0");
    BOOST_TEST(ab::regional_upstream_id("anthropic.claude-opus-4-1", "eu-west-1") ==
               "anthropic.claude-opus-4-1-20250805-v1:0");
    // Models invoked by their own id, and ids not in the catalog, are unchanged.
    BOOST_TEST(ab::regional_upstream_id("anthropic.claude-3-sonnet", "eu-west-1") ==
               "anthropic.claude-3-sonnet-20240229-v1:0");
    BOOST_TEST(ab::regional_upstream_id("global.anthropic.claude-haiku-4-5-20251001-v1:0", "us-east-1") ==
               "global.anthropic.claude-haiku-4-5-20251001-v1:0");
}

BOOST_AUTO_TEST_CASE(configured_profile_ids_and_short_names_take_the_catalog_capabilities) {
    Harness h(R"({"access_key_id":"AKID1","secret_access_key":"secret1","region":"eu-west-1",
                  "models":["anthropic.claude-sonnet-4-5","global.anthropic.claude-opus-4-5-20251101-v1:0",
                            "apac.meta.llama3-2-90b-instruct-v1:0","amazon.nova-lite"]})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const helix_model_info *const *models = nullptr;
    std::size_t count = 0;
    helix_error err = make_error();
    BOOST_TEST_REQUIRE(h.descriptor().list_models(h.plugin(), &models, &count, &err) == HELIX_OK);
    BOOST_TEST_REQUIRE(count == 4u);
    BOOST_TEST(sv(models[0]->upstream_id) == "eu.anthropic.claude-sonnet-4-5-20250929-v1:0");
    BOOST_TEST(models[0]->capabilities == 1255u);
    BOOST_TEST(sv(models[1]->upstream_id) == "global.anthropic.claude-opus-4-5-20251101-v1:0");
    BOOST_TEST(models[1]->capabilities == 1255u);
    BOOST_TEST(models[1]->context_window == 200000);
    // Llama 3.2 90B has no apac. profile: an unknown id, streaming only.
    BOOST_TEST(models[2]->capabilities == static_cast<std::uint32_t>(HELIX_MODEL_STREAMING));
    BOOST_TEST(sv(models[3]->upstream_id) == "amazon.nova-lite-v1:0");
    BOOST_TEST(models[3]->context_window == 300000);

    Request r = user_request("eu.anthropic.claude-sonnet-4-5-20250929-v1:0");
    Prepare x(h, r);
    BOOST_TEST_REQUIRE(x.p.status == HELIX_OK, x.p.error.message);
    BOOST_TEST(x.p.url == "https://bedrock-runtime.eu-west-1.amazonaws.com/model/"
                          "eu.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");
}

BOOST_AUTO_TEST_CASE(configured_models_send_short_names_upstream_as_full_ids) {
    Harness h(R"({"access_key_id":"AKID1","secret_access_key":"secret1",
                  "models":["anthropic.claude-3-opus",{"id":"sonnet","upstream_id":"anthropic.claude-3-sonnet"},
                            "us.anthropic.claude-3-5-sonnet-20241022-v2:0"]})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const helix_model_info *const *models = nullptr;
    std::size_t count = 0;
    helix_error err = make_error();
    BOOST_TEST_REQUIRE(h.descriptor().list_models(h.plugin(), &models, &count, &err) == HELIX_OK);
    BOOST_TEST_REQUIRE(count == 3u);
    BOOST_TEST(sv(models[0]->upstream_id) == "anthropic.claude-3-opus-20240229-v1:0");
    // Claude also takes Anthropic Messages bodies natively (HELIX_MODEL_MESSAGES, 128).
    BOOST_TEST(models[0]->capabilities == 1223u);
    BOOST_TEST(sv(models[1]->upstream_id) == "anthropic.claude-3-sonnet-20240229-v1:0");
    BOOST_TEST(sv(models[2]->upstream_id) == "us.anthropic.claude-3-5-sonnet-20241022-v2:0");
    BOOST_TEST(models[2]->capabilities == static_cast<std::uint32_t>(HELIX_MODEL_STREAMING | HELIX_MODEL_MESSAGES));
}

BOOST_AUTO_TEST_CASE(converse_request_is_signed_for_bedrock_with_the_model_id_encoded) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    Request r = user_request();
    Prepare x(h, r);
    const Prepared &p = x.p;
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.method == "POST");
    BOOST_TEST(p.url ==
               "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse");
    BOOST_TEST(!p.streaming);
    BOOST_TEST(p.header("content-type") == "application/json");
    BOOST_TEST(p.header("accept") == "application/json");
    BOOST_TEST(p.header("host") == "bedrock-runtime.us-east-1.amazonaws.com");
    BOOST_TEST(p.header("x-amz-date") == "20231114T221320Z"); // FakeHost.now_ms
    BOOST_TEST(p.header("x-amz-content-sha256") == helix::aws::sha256_hex(p.body));
    BOOST_TEST(!p.has_header("x-amz-security-token"));
    const std::string auth = p.header("authorization");
    BOOST_TEST(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/bedrock/aws4_request, "
                          "SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, Signature=",
                          0) == 0u,
               auth);
    BOOST_TEST(p.body == R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}]})");

    const auto v = verify_prepared(p, kKeyId, kSecret, "", h.host().now_ms);
    BOOST_TEST(v.ok(), v.message);
    // The canonical URI double-encodes the id; the wire path encodes it once.
    BOOST_TEST(v.canonical_request.find("/model/anthropic.claude-3-sonnet-20240229-v1%253A0/converse\n") !=
               std::string::npos);
    // The signature covers the body and the time.
    Prepared tampered = p;
    tampered.body += " ";
    BOOST_TEST(verify_prepared(tampered, kKeyId, kSecret, "", h.host().now_ms).error ==
               helix::aws::VerifyError::content_sha256_mismatch);
    BOOST_TEST(verify_prepared(p, kKeyId, "wrong-secret", "", h.host().now_ms).error ==
               helix::aws::VerifyError::signature_mismatch);
    BOOST_TEST(verify_prepared(p, kKeyId, kSecret, "", h.host().now_ms + 6 * 60 * 1000).error ==
               helix::aws::VerifyError::request_expired);
}

BOOST_AUTO_TEST_CASE(short_names_and_streaming_use_converse_stream) {
    Harness h(kConfig);
    Request r = user_request("anthropic.claude-3-opus", true);
    Prepare x(h, r);
    BOOST_TEST_REQUIRE(x.p.status == HELIX_OK, x.p.error.message);
    BOOST_TEST(x.p.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
                          "anthropic.claude-3-opus-20240229-v1%3A0/converse-stream");
    BOOST_TEST(x.p.streaming);
    BOOST_TEST(x.p.header("accept") == "application/vnd.amazon.eventstream");
    BOOST_TEST(verify_prepared(x.p, kKeyId, kSecret, "", h.host().now_ms).ok());
}

BOOST_AUTO_TEST_CASE(temporary_credentials_sign_the_session_token) {
    Harness h(R"({"access_key_id":"ASIAEXAMPLE","secret_access_key":")" + kSecret + R"(","session_token":")" + kToken +
              R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    Request r = user_request();
    Prepare x(h, r);
    BOOST_TEST_REQUIRE(x.p.status == HELIX_OK, x.p.error.message);
    BOOST_TEST(x.p.header("x-amz-security-token") == kToken);
    BOOST_TEST(x.p.header("authorization").find("SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;"
                                                 "x-amz-security-token,") != std::string::npos);
    const auto v = verify_prepared(x.p, "ASIAEXAMPLE", kSecret, kToken, h.host().now_ms);
    BOOST_TEST(v.ok(), v.message);
    BOOST_TEST(verify_prepared(x.p, "ASIAEXAMPLE", kSecret, "another-token", h.host().now_ms).error ==
               helix::aws::VerifyError::invalid_session_token);
}

BOOST_AUTO_TEST_CASE(endpoint_override_and_region_drive_url_host_and_scope) {
    Harness h(R"({"access_key_id":"AKID","secret_access_key":"s3cr3t-key","region":"eu-west-3",
                  "endpoint":"http://127.0.0.1:4566/sim/"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    Request r = user_request("arn:aws:bedrock:eu-west-3::foundation-model/meta.llama3-70b-instruct-v1:0");
    Prepare x(h, r);
    BOOST_TEST_REQUIRE(x.p.status == HELIX_OK, x.p.error.message);
    BOOST_TEST(x.p.url == "http://127.0.0.1:4566/sim/model/"
                          "arn%3Aaws%3Abedrock%3Aeu-west-3%3A%3Afoundation-model%2Fmeta.llama3-70b-instruct-v1%3A0/converse");
    BOOST_TEST(x.p.header("host") == "127.0.0.1:4566");
    BOOST_TEST(x.p.header("authorization").find("/20231114/eu-west-3/bedrock/aws4_request") != std::string::npos);
    const auto v = verify_prepared(x.p, "AKID", "s3cr3t-key", "", h.host().now_ms, "eu-west-3");
    BOOST_TEST(v.ok(), v.message);

    Harness regional(R"({"access_key_id":"AKID","secret_access_key":"s3cr3t-key","region":"ap-southeast-2"})");
    Request q = user_request();
    Prepare y(regional, q);
    BOOST_TEST(y.p.url.rfind("https://bedrock-runtime.ap-southeast-2.amazonaws.com/model/", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(conversation_translates_to_converse_blocks) {
    Harness h(kConfig);
    Request r = user_request();
    r.messages = {
        Message::system("You are terse."),
        Message::user("What is the weather?"),
        Message::user_parts({Part::txt("And this picture?"), Part::txt(""),
                             Part::image("data:image/png;base64,iVBORw0KGgo="), Part::image("data:image/jpg;base64,/9j/4AAQ")}),
        Message::developer("Answer in French."),
        Message::assistant("Let me check.", {{"tooluse_1", "get_weather", R"({"city":"Paris"})"},
                                             {"tooluse_2", "get_time", ""}}),
        Message::tool("tooluse_1", "18C"),
        Message::tool("tooluse_2", ""),
        Message::user("Thanks"),
        Message::assistant(""),
    };
    r.tools = {{"get_weather", "Weather by city", R"({"type":"object","properties":{"city":{"type":"string"}}})", false},
               {"get_time", "", "", false},
               {"no_type", "", R"({"properties":{}})", false}};
    r.tool_choice = HELIX_TOOL_CHOICE_AUTO;
    r.present = HELIX_HAS_MAX_TOKENS | HELIX_HAS_TEMPERATURE | HELIX_HAS_TOP_P;
    r.max_tokens = 512;
    r.temperature = 1.7;
    r.top_p = 0.9;
    r.stop = {"END", "", "STOP"};
    r.seed = 42;
    r.user = "user-1";
    const json::object body = body_of(h, r);
    BOOST_TEST(json::serialize(body.at("system")) == R"([{"text":"You are terse."},{"text":"Answer in French."}])");
    BOOST_TEST(json::serialize(body.at("messages")) ==
               R"([{"role":"user","content":[{"text":"What is the weather?"},{"text":"And this picture?"},)"
               R"({"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}},)"
               R"({"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQ"}}}]},)"
               R"({"role":"assistant","content":[{"text":"Let me check."},)"
               R"({"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris"}}},)"
               R"({"toolUse":{"toolUseId":"tooluse_2","name":"get_time","input":{}}}]},)"
               R"({"role":"user","content":[{"toolResult":{"toolUseId":"tooluse_1","content":[{"text":"18C"}]}},)"
               R"x({"toolResult":{"toolUseId":"tooluse_2","content":[{"text":"(empty)"}]}},{"text":"Thanks"}]}])x");
    BOOST_TEST(json::serialize(body.at("inferenceConfig")) ==
               R"({"maxTokens":512,"temperature":1E0,"topP":9E-1,"stopSequences":["END","STOP"]})");
    BOOST_TEST(json::serialize(body.at("toolConfig")) ==
               R"({"tools":[{"toolSpec":{"name":"get_weather","description":"Weather by city","inputSchema":{"json":)"
               R"({"type":"object","properties":{"city":{"type":"string"}}}}}},)"
               R"({"toolSpec":{"name":"get_time","inputSchema":{"json":{"type":"object","properties":{}}}}},)"
               R"({"toolSpec":{"name":"no_type","inputSchema":{"json":{"properties":{},"type":"object"}}}}],)"
               R"("toolChoice":{"auto":{}}})");
    BOOST_TEST(!body.contains("seed"));
    BOOST_TEST(!body.contains("modelId"));
}

BOOST_AUTO_TEST_CASE(tool_choice_maps_to_converse_tool_choice) {
    Harness h(kConfig);
    Request r = user_request();
    r.tools = {{"f", "", "", false}};
    r.tool_choice = HELIX_TOOL_CHOICE_REQUIRED;
    BOOST_TEST(json::serialize(body_of(h, r).at("toolConfig").at("toolChoice")) == R"({"any":{}})");
    r.tool_choice = HELIX_TOOL_CHOICE_NAMED;
    r.tool_choice_name = "f";
    BOOST_TEST(json::serialize(body_of(h, r).at("toolConfig").at("toolChoice")) == R"({"tool":{"name":"f"}})");
    r.tool_choice = HELIX_TOOL_CHOICE_UNSET;
    BOOST_TEST(!body_of(h, r).at("toolConfig").as_object().contains("toolChoice"));
    r.tool_choice = HELIX_TOOL_CHOICE_NONE;
    BOOST_TEST(!body_of(h, r).contains("toolConfig"));

    // Converse wants a toolConfig whenever the history has tool blocks.
    r.messages = {Message::user("Hi"), Message::assistant("", {{"t1", "f", "{}"}}), Message::tool("t1", "ok")};
    const json::object with_history = body_of(h, r);
    BOOST_TEST(json::serialize(with_history.at("toolConfig")) ==
               R"({"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object","properties":{}}}}}]})");
    r.tools.clear();
    r.tool_choice = HELIX_TOOL_CHOICE_UNSET;
    BOOST_TEST(json::serialize(body_of(h, r).at("toolConfig")) ==
               R"({"tools":[{"toolSpec":{"name":"f","description":"A tool used earlier in this conversation.",)"
               R"("inputSchema":{"json":{"type":"object"}}}}]})");
}

BOOST_AUTO_TEST_CASE(titan_text_gets_its_system_prompt_in_the_first_user_message) {
    Harness h(kConfig);
    Request r = user_request("amazon.titan-text-express");
    r.messages = {Message::system("Be brief."), Message::user("Hi")};
    r.response_format = HELIX_FORMAT_JSON_OBJECT;
    const json::object body = body_of(h, r);
    BOOST_TEST(!body.contains("system"));
    BOOST_TEST(json::serialize(body.at("messages")) ==
               R"([{"role":"user","content":[{"text":"Be brief.\n\nRespond with a single valid JSON object and nothing )"
               R"(else: no prose, no code fences.\n\nHi"}]}])");
    // Claude answers through a forced tool instead (structured output).
    Request claude = user_request();
    claude.response_format = HELIX_FORMAT_JSON_OBJECT;
    const json::object forced = body_of(h, claude);
    BOOST_TEST(!forced.contains("system"));
    BOOST_TEST(json::serialize(forced.at("toolConfig")) ==
               R"({"tools":[{"toolSpec":{"name":"json_response","description":"Give your whole answer as this tool's )"
               R"(input: one JSON object that fits its schema.","inputSchema":{"json":{"type":"object"}}}}],)"
               R"("toolChoice":{"tool":{"name":"json_response"}}})");
    claude.response_format = HELIX_FORMAT_JSON_SCHEMA;
    claude.response_schema_json = R"({"name":"c","schema":{"type":"object","properties":{"n":{"type":"integer"}}}})";
    BOOST_TEST(json::serialize(body_of(h, claude).at("toolConfig").at("tools").as_array()[0].at("toolSpec").at("inputSchema")) ==
               R"({"json":{"type":"object","properties":{"n":{"type":"integer"}}}})");
}

BOOST_AUTO_TEST_CASE(requests_bedrock_cannot_take_are_refused_with_the_param) {
    Harness h(kConfig);
    const auto refused = [&](Request &r) {
        Prepare x(h, r);
        BOOST_TEST(x.p.call == nullptr);
        return x.p;
    };
    Request n = user_request();
    n.n = 2;
    Prepared p = refused(n);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(p.error.param) == "n");
    BOOST_TEST(p.error.http_status == 400);

    Request url = user_request();
    url.messages = {Message::user_parts({Part::txt("see"), Part::image("https://example.com/cat.png")})};
    p = refused(url);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(p.error.param) == "messages[0].content[1].image_url.url");

    Request bmp = user_request();
    bmp.messages = {Message::user_parts({Part::image("data:image/bmp;base64,Qk0=")})};
    p = refused(bmp);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(p.error.param) == "messages[0].content[0].image_url.url");

    Request raw = user_request();
    raw.messages = {Message::user_parts({Part::image("data:image/png,notbase64")})};
    BOOST_TEST(refused(raw).status == HELIX_ERR_INVALID_REQUEST);

    Request schema = user_request("amazon.titan-text-express"); // Claude takes it as a forced tool
    schema.response_format = HELIX_FORMAT_JSON_SCHEMA;
    p = refused(schema);
    BOOST_TEST(p.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(p.error.param) == "response_format");

    Request args = user_request();
    args.messages = {Message::user("Hi"), Message::assistant("", {{"t1", "f", "{not json"}})};
    p = refused(args);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(std::string(p.error.param) == "messages[1].tool_calls[0].function.arguments");

    Request empty = user_request();
    empty.messages = {Message::system("only a system prompt"), Message::user("  ")};
    p = refused(empty);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(std::string(p.error.param) == "messages");

    Request required = user_request();
    required.tool_choice = HELIX_TOOL_CHOICE_REQUIRED;
    BOOST_TEST(refused(required).status == HELIX_ERR_INVALID_REQUEST);

    Request image_system = user_request();
    image_system.messages = {Message{HELIX_ROLE_SYSTEM, {}, true, {Part::image("data:image/png;base64,AA==")}, {}, {}, {}},
                             Message::user("Hi")};
    BOOST_TEST(refused(image_system).status == HELIX_ERR_NOT_SUPPORTED);
}

BOOST_AUTO_TEST_CASE(settings_errors_are_clear_and_never_quote_secrets) {
    const auto create_error = [](const std::string &config) {
        Harness h(config);
        BOOST_TEST(h.plugin() == nullptr);
        return std::string(h.create_error().message);
    };
    std::string m = create_error(R"({"access_key_id":"AKID","secret_acces_key":"SECRETVALUE"})");
    BOOST_TEST(contains(m, "settings.secret_acces_key is not a setting"));
    BOOST_TEST(!contains(m, "SECRETVALUE"));
    m = create_error(R"({"access_key_id":"AKID"})");
    BOOST_TEST(contains(m, "settings.secret_access_key is missing"));
    m = create_error(R"({"secret_access_key":"SECRETVALUE"})");
    BOOST_TEST(contains(m, "settings.access_key_id is missing"));
    BOOST_TEST(!contains(m, "SECRETVALUE"));
    m = create_error(R"({"session_token":"TOKENVALUE","imds_disabled":"true"})");
    BOOST_TEST(contains(m, "settings.session_token is set without"));
    BOOST_TEST(contains(create_error(R"({"region":"US East 1"})"), "settings.region must look like us-east-1"));
    BOOST_TEST(contains(create_error(R"({"endpoint":"ftp://x"})"), "settings.endpoint must be an http"));
    BOOST_TEST(contains(create_error(R"({"container_credentials_full_uri":"http://10.0.0.5/creds"})"),
                        "may use plain http only for a loopback host"));
    BOOST_TEST(contains(create_error(R"({"container_credentials_relative_uri":"v2/creds"})"), "must start with '/'"));
    BOOST_TEST(contains(create_error(R"({"imds_disabled":"maybe"})"), "settings.imds_disabled must be true or false"));
    BOOST_TEST(contains(create_error(R"({"secret_access_key":"a\nb","access_key_id":"x"})"), "control character"));
    BOOST_TEST(contains(create_error(R"({"imds_disabled":true})"), "no AWS credentials found"));
    BOOST_TEST(contains(create_error(R"({"credentials_file":"~/creds"})"), "settings.home (HOME) is not set"));

    // https anywhere and the EKS/ECS agents over http are fine.
    for (const char *ok : {R"({"container_credentials_full_uri":"https://creds.example.com/x"})",
                           R"({"container_credentials_full_uri":"http://169.254.170.23/v1/credentials"})",
                           R"({"container_credentials_full_uri":"http://[fd00:ec2::23]/v1/credentials"})",
                           R"({"container_credentials_full_uri":"http://localhost:8080/creds"})"}) {
        Harness h(ok);
        BOOST_TEST(h.plugin() != nullptr, ok << ": " << h.create_error().message);
    }
    // validate_config (helixagentd --check-config) reads no file.
    helix_error err = make_error();
    const std::string bad = R"({"models":[]})";
    BOOST_TEST(helix_plugin_entry(HELIX_ABI_MAJOR, HELIX_ABI_MINOR)->validate_config(hs(bad), &err) == HELIX_ERR_CONFIG);
}

BOOST_AUTO_TEST_CASE(an_unknown_role_is_a_400_naming_the_message) {
    Harness h(kConfig);
    check_unknown_role_refused(h, user_request());
}

// Claude's thinking on Converse: additionalModelRequestFields.thinking, and the
// earlier turn's reasoning first in the assistant message, byte for byte.
BOOST_AUTO_TEST_CASE(reasoning_becomes_claude_thinking_and_goes_back_as_reasoning_content) {
    Harness h(kConfig);
    Request r;
    r.model = "anthropic.claude-3-7-sonnet-20250219-v1:0";
    r.reasoning_effort = HELIX_EFFORT_LOW;
    Message assistant = Message::assistant("", {ToolCall{"tooluse_1", "f", "{}"}});
    assistant.reasoning = {Reasoning{HELIX_REASONING_TEXT, "Think \xC3\xA9.", "EqQBCg+/sig==", "", "bedrock-converse-v1"},
                           Reasoning{HELIX_REASONING_REDACTED, "", "", "cmVkYWN0ZWQ=", ""},
                           Reasoning{HELIX_REASONING_TEXT, "from Anthropic's API", "EqX", "", "anthropic-claude-v1"}};
    r.messages = {Message::user("Hi"), assistant, Message::tool("tooluse_1", "ok")};
    const json::object b = body_of(h, r);
    BOOST_TEST(json::serialize(b.at("additionalModelRequestFields")) == R"({"thinking":{"type":"enabled","budget_tokens":2048}})");
    BOOST_TEST(b.at("inferenceConfig").at("maxTokens") == 2048 + 4096);
    BOOST_TEST(json::serialize(b.at("messages").as_array()[1].at("content")) ==
               R"([{"reasoningContent":{"reasoningText":{"text":"Think )" "\xC3\xA9" R"(.","signature":"EqQBCg+/sig=="}}},)"
               R"({"reasoningContent":{"redactedContent":"cmVkYWN0ZWQ="}},)"
               R"({"toolUse":{"toolUseId":"tooluse_1","name":"f","input":{}}}])");

    Request llama;
    llama.model = "meta.llama3-1-70b-instruct-v1:0";
    llama.reasoning_effort = HELIX_EFFORT_HIGH;
    llama.messages = {Message::user("Hi")};
    BOOST_TEST(!body_of(h, llama).contains("additionalModelRequestFields"));
}

// Prompt caching: cache_control becomes Converse cachePoint blocks after the
// system message, the part, the message and the tool it marks, on Claude and
// Nova; a model without prompt caching gets none (it would refuse them).
BOOST_AUTO_TEST_CASE(cache_control_becomes_cache_points_on_models_that_take_them) {
    Harness h(kConfig);
    const auto request = [](std::string model) {
        Request r = user_request(std::move(model));
        Message system = Message::system("Long rules.");
        system.cache_control = HELIX_CACHE_EPHEMERAL;
        Message user = Message::user_parts({Part::txt("Big document."), Part::txt("Question?")});
        user.parts[0].cache_control = HELIX_CACHE_EPHEMERAL;
        Message earlier = Message::assistant("Earlier answer.");
        earlier.cache_control = HELIX_CACHE_EPHEMERAL_1H;
        r.messages = {system, Message::system("Short rule."), Message::user("First"), earlier, user};
        r.tools = {{"lookup", "", R"({"type":"object"})"}};
        r.tools[0].cache_control = HELIX_CACHE_EPHEMERAL;
        return r;
    };
    for (const std::string model : {"anthropic.claude-3-sonnet-20240229-v1:0", "us.amazon.nova-pro-v1:0"}) {
        Request r = request(model);
        const json::object b = body_of(h, r);
        BOOST_TEST(json::serialize(b.at("system")) ==
                   R"([{"text":"Long rules."},{"cachePoint":{"type":"default"}},{"text":"Short rule."}])", model);
        const json::array &m = b.at("messages").as_array();
        BOOST_TEST(json::serialize(m[1].at("content")) ==
                   R"([{"text":"Earlier answer."},{"cachePoint":{"type":"default"}}])", model);
        BOOST_TEST(json::serialize(m[2].at("content")) ==
                   R"([{"text":"Big document."},{"cachePoint":{"type":"default"}},{"text":"Question?"}])", model);
        const json::array &tools = b.at("toolConfig").at("tools").as_array();
        BOOST_TEST_REQUIRE(tools.size() == 2u);
        BOOST_TEST(json::serialize(tools[1]) == R"({"cachePoint":{"type":"default"}})");
    }
    Request llama = request("meta.llama3-1-70b-instruct-v1:0");
    const std::string body = json::serialize(body_of(h, llama));
    BOOST_TEST(body.find("cachePoint") == std::string::npos, body);
}

// Nova 2 reasons through reasoningConfig with an effort (by reasoning_effort,
// or the nearest one to a thinking budget); Nova 1 has no reasoning.
BOOST_AUTO_TEST_CASE(nova_2_reasoning_is_a_reasoning_config_with_an_effort) {
    Harness h(kConfig);
    const auto config = [&](std::string model, helix_reasoning_effort effort, std::int64_t budget = 0) {
        Request r = user_request(std::move(model));
        r.reasoning_effort = effort;
        if (budget > 0) {
            r.present |= HELIX_HAS_REASONING_BUDGET;
            r.reasoning_budget_tokens = budget;
        }
        const json::object b = body_of(h, r);
        const json::value *fields = b.if_contains("additionalModelRequestFields");
        return fields == nullptr ? std::string() : json::serialize(*fields);
    };
    BOOST_TEST(config("us.amazon.nova-2-lite-v1:0", HELIX_EFFORT_HIGH) ==
               R"({"reasoningConfig":{"type":"enabled","maxReasoningEffort":"high"}})");
    BOOST_TEST(config("amazon.nova-2-lite-v1:0", HELIX_EFFORT_MINIMAL) ==
               R"({"reasoningConfig":{"type":"enabled","maxReasoningEffort":"low"}})");
    BOOST_TEST(config("global.amazon.nova-2-lite-v1:0", HELIX_EFFORT_MEDIUM) ==
               R"({"reasoningConfig":{"type":"enabled","maxReasoningEffort":"medium"}})");
    BOOST_TEST(config("amazon.nova-2-lite-v1:0", HELIX_EFFORT_UNSET, 5000) ==
               R"({"reasoningConfig":{"type":"enabled","maxReasoningEffort":"medium"}})");
    BOOST_TEST(config("amazon.nova-2-lite-v1:0", HELIX_EFFORT_UNSET).empty());
    BOOST_TEST(config("amazon.nova-pro-v1:0", HELIX_EFFORT_HIGH).empty());
    namespace ab = helix::aws_bedrock;
    BOOST_TEST(ab::regional_upstream_id("amazon.nova-2-lite", "us-east-1") == "us.amazon.nova-2-lite-v1:0");
    BOOST_TEST(ab::regional_upstream_id("amazon.nova-2-lite", "eu-west-1") == "global.amazon.nova-2-lite-v1:0");
}

// Documents become Converse document blocks: the format from the media type,
// the bytes in base64, a name as Bedrock allows it (no extension, runs of
// other characters one hyphen), an s3:// file as s3Location; other types
// and sources are refused naming the part.
BOOST_AUTO_TEST_CASE(documents_become_converse_document_blocks) {
    Harness h(kConfig);
    Request r = user_request("anthropic.claude-3-haiku");
    r.messages = {Message::user_parts({Part::txt("Summarise"),
                                       Part::document_bytes("application/pdf", "%PDF-1.4\n", "Q3 report_v2.final.pdf"),
                                       Part::document_bytes("text/plain", "hello", ""),
                                       Part::document_uri(HELIX_SOURCE_FILE_URI, "s3://bucket/notes.md")})};
    const json::object body = body_of(h, r);
    const json::array &content = body.at("messages").as_array()[0].as_object().at("content").as_array();
    BOOST_TEST_REQUIRE(content.size() == 4u);
    const json::object &pdf = content[1].as_object().at("document").as_object();
    BOOST_TEST(pdf.at("format") == "pdf");
    BOOST_TEST(pdf.at("name") == "Q3 report-v2-final");
    BOOST_TEST(pdf.at("source").as_object().at("bytes") == "JVBERi0xLjQK");
    const json::object &txt = content[2].as_object().at("document").as_object();
    BOOST_TEST(txt.at("format") == "txt");
    BOOST_TEST(txt.at("name") == "document-0-2");
    BOOST_TEST(txt.at("source").as_object().at("bytes") == "aGVsbG8=");
    const json::object &s3 = content[3].as_object().at("document").as_object();
    BOOST_TEST(s3.at("format") == "md");
    BOOST_TEST(s3.at("source").as_object().at("s3Location").as_object().at("uri") == "s3://bucket/notes.md");

    const auto refused = [&](Part part) {
        Request bad = user_request("anthropic.claude-3-haiku");
        bad.messages = {Message::user_parts({Part::txt("x"), std::move(part)})};
        Prepare x(h, bad);
        BOOST_TEST(x.p.call == nullptr);
        BOOST_TEST(std::string(x.p.error.param) == "messages[0].content[1]");
        return x.p.status;
    };
    BOOST_TEST(refused(Part::document_bytes("application/zip", "PK")) == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(refused(Part::document_uri(HELIX_SOURCE_URL, "https://example.com/a.pdf")) == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(refused(Part::document_uri(HELIX_SOURCE_FILE_URI, "gs://b/a.pdf")) == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(refused(Part::document_bytes("application/pdf", "")) == HELIX_ERR_INVALID_REQUEST);
}
