#define BOOST_TEST_MODULE plugins_gcp_vertex_llama
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"

#include <boost/json.hpp>

using namespace helix::test;
namespace json = boost::json;

namespace {

const std::string kToken = "ya29.fixed-llama-token";
const std::string kModel = "meta/llama-3.3-70b-instruct-maas";
const std::string kConfig = R"({"project_id":"proj-1","access_token":")" + kToken +
                            R"(","models":["gemini-1.5-pro","meta/llama-3.3-70b-instruct-maas",)"
                            R"("meta/llama-4-maverick-17b-128e-instruct-maas"]})";
const std::string kUrl = "https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/"
                         "endpoints/openapi/chat/completions";

Request chat(bool stream) {
    Request r;
    r.model = kModel;
    r.stream = stream;
    r.messages = {Message::user("Weather in Paris?")};
    r.tools = {Tool{"get_weather", "Current weather", R"({"type":"object","properties":{"city":{"type":"string"}}})"}};
    r.original_body = R"({"model":"gcp-vertex/meta/llama-3.3-70b-instruct-maas","messages":[{"role":"user","content":"Weather in Paris?"}],)"
                      R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",)"
                      R"("parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"temperature":0.2)" +
                      std::string(stream ? R"(,"stream":true})" : "}");
    return r;
}

// Chunks as the endpoint streams them, one SSE event each.
std::string chunk(const std::string &choices, const std::string &usage = "null") {
    return R"(data: {"id":"1733400000-abc","object":"chat.completion.chunk","created":1733400000,)"
           R"("model":"meta/llama-3.3-70b-instruct-maas","choices":)" +
           choices + R"(,"usage":)" + usage + "}\n\n";
}

std::string model_id(const helix_model_info &m) { return std::string(m.id.data, m.id.len); }

} // namespace

BOOST_AUTO_TEST_CASE(llama_models_are_listed_when_configured_with_their_catalog_entries) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    bool llama33 = false, maverick = false;
    for (const auto &m : h.models()) {
        if (model_id(m) == kModel) {
            llama33 = true;
            BOOST_TEST(m.context_window == 128'000);
            BOOST_TEST(m.capabilities == (HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS));
        }
        if (model_id(m) == "meta/llama-4-maverick-17b-128e-instruct-maas") {
            maverick = true;
            BOOST_TEST(m.context_window == 524'288);
            BOOST_TEST(m.capabilities == (HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_VISION));
        }
    }
    BOOST_TEST(llama33);
    BOOST_TEST(maverick);
    // Not listed unless configured: each is enabled per project in the Model Garden.
    Harness defaults(R"({"project_id":"proj-1","access_token":"t"})");
    for (const auto &m : defaults.models()) BOOST_TEST(!model_id(m).starts_with("meta/"));
}

BOOST_AUTO_TEST_CASE(chat_goes_to_the_openai_compatible_endpoint_in_openais_shape) {
    Harness h(kConfig);
    Request r = chat(false);
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.method == "POST");
    BOOST_TEST(p.url == kUrl);
    BOOST_TEST(p.header("Authorization") == "Bearer " + kToken);
    BOOST_TEST(p.header("Accept") == "application/json");
    BOOST_TEST(!p.streaming);
    const json::object body = p.json();
    BOOST_TEST(body.at("model").as_string() == kModel); // the publisher's id, not the gateway's name
    BOOST_TEST(!body.contains("stream"));
    BOOST_TEST(!body.contains("stream_options"));
    BOOST_TEST(body.at("temperature").as_double() == 0.2);
    BOOST_TEST(body.at("tools").at(0).at("function").at("name") == "get_weather");
    BOOST_TEST(json::serialize(body.at("messages")) == R"([{"role":"user","content":"Weather in Paris?"}])");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(the_global_location_and_v1beta1_have_their_own_urls_and_express_mode_has_none) {
    Harness global(R"({"project_id":"proj-1","location":"global","api_version":"v1beta1","access_token":"t","models":["meta/llama-3.3-70b-instruct-maas"]})");
    Request r = chat(false);
    Prepared p = global.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://aiplatform.googleapis.com/v1beta1/projects/proj-1/locations/global/endpoints/openapi/chat/completions");
    global.descriptor().call_free(p.call);

    Harness express(R"({"api_key":"AQ.key","models":["meta/llama-3.3-70b-instruct-maas"]})");
    Prepared e = express.prepare(r);
    BOOST_TEST(e.status == HELIX_ERR_CONFIG);
    BOOST_TEST(std::string(e.error.message).find("project_id") != std::string::npos, e.error.message);
    BOOST_TEST(std::string(e.error.message).find("AQ.key") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_stream_asks_for_usage_and_decodes_openais_chunks_with_a_tool_call) {
    Harness h(kConfig);
    Request r = chat(true);
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == kUrl);
    BOOST_TEST(p.streaming);
    BOOST_TEST(p.header("Accept") == "text/event-stream");
    const json::object body = p.json();
    BOOST_TEST(body.at("stream") == true);
    BOOST_TEST(body.at("stream_options").at("include_usage") == true);
    h.descriptor().call_free(p.call);

    const std::string stream =
        chunk(R"([{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{},"finish_reason":"tool_calls"}])") +
        chunk("[]", R"({"prompt_tokens":25,"completion_tokens":9,"total_tokens":34})") + "data: [DONE]\n\n";
    expect_events(h, r, 200, sse_headers(), stream,
                  "START id=1733400000-abc model=meta/llama-3.3-70b-instruct-maas\n"
                  "TOOL c=0 i=0 id=call_1 name=get_weather args=\n"
                  "TOOL c=0 i=0 id= name= args={\"city\":\"Paris\"}\n"
                  "FINISH c=0 tool_calls\n"
                  "USAGE 25/9/0\n");
}

BOOST_AUTO_TEST_CASE(a_completion_decodes_as_openais) {
    Harness h(kConfig);
    Request r = chat(false);
    expect_events(
        h, r, 200, json_headers(),
        R"({"id":"1733400001-def","object":"chat.completion","created":1733400001,"model":"meta/llama-3.3-70b-instruct-maas",)"
        R"("choices":[{"index":0,"message":{"role":"assistant","content":"Sunny, 21 degrees."},"finish_reason":"stop"}],)"
        R"("usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}})",
        "START id=1733400001-def model=meta/llama-3.3-70b-instruct-maas\n"
        "TEXT c=0 Sunny, 21 degrees.\n"
        "FINISH c=0 stop\n"
        "USAGE 12/6/0\n");
}

BOOST_AUTO_TEST_CASE(googles_errors_in_their_array_keep_their_meaning) {
    Harness h(kConfig);
    Request r = chat(false);
    const Outcome quota = run_all_chunkings(
        h, r, 429, json_headers(),
        R"([{"error":{"code":429,"message":"Resource exhausted. Please try again later.","status":"RESOURCE_EXHAUSTED",)"
        R"("details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2s"}]}}])");
    BOOST_TEST(quota.status == HELIX_ERR_RETRY);
    BOOST_TEST(quota.code == "RESOURCE_EXHAUSTED");
    BOOST_TEST(quota.retry_after_ms == 2000u);
    BOOST_TEST(quota.message.find("Resource exhausted") != std::string::npos, quota.message);

    const Outcome missing = run_all_chunkings(
        h, r, 404, json_headers(),
        R"([{"error":{"code":404,"message":"Publisher Model `projects/proj-1/locations/us-central1/publishers/meta/models/llama-9` was not found","status":"NOT_FOUND"}}])");
    BOOST_TEST(missing.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(missing.http_status == 404);
    BOOST_TEST(missing.message.find("llama-9") != std::string::npos, missing.message);

    const Outcome auth = run_all_chunkings(
        h, r, 401, json_headers(),
        R"([{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}])");
    BOOST_TEST(auth.status == HELIX_ERR_AUTH);
    BOOST_TEST(auth.http_status == 502);
    BOOST_TEST(auth.message.find(kToken) == std::string::npos);

    // The model server's own OpenAI-shaped refusal is read as OpenAI's.
    const Outcome openai = run_all_chunkings(
        h, r, 400, json_headers(),
        R"({"error":{"message":"max_tokens must be at most 8192","type":"invalid_request_error","param":"max_tokens","code":null}})");
    BOOST_TEST(openai.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(openai.http_status == 400);
    BOOST_TEST(openai.param == "max_tokens");
}

BOOST_AUTO_TEST_CASE(an_error_inside_the_stream_and_a_truncated_stream_fail_the_call) {
    Harness h(kConfig);
    Request r = chat(true);
    const Outcome in_stream = run_all_chunkings(
        h, r, 200, sse_headers(),
        chunk(R"([{"index":0,"delta":{"role":"assistant","content":"Sun"},"finish_reason":null}])") +
            R"(data: {"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}})" "\n\n");
    BOOST_TEST(in_stream.status == HELIX_ERR_RETRY);
    const Outcome cut = run_all_chunkings(
        h, r, 200, sse_headers(), chunk(R"([{"index":0,"delta":{"content":"Sun"},"finish_reason":null}])"));
    BOOST_TEST(cut.status == HELIX_ERR_PROTOCOL);
}
