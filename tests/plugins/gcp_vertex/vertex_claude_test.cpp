#define BOOST_TEST_MODULE plugins_gcp_vertex_claude
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"
#include "../messages_case.hpp"

#include "daemon/api/sse_frame.hpp"

#include <boost/json.hpp>

using namespace helix::test;
namespace json = boost::json;

namespace {

const std::string kConfig =
    R"({"project_id":"proj-1","location":"us-east5","access_token":"ya29.fixed-token","models":["gemini-1.5-pro","claude-sonnet-4-5@20250929"]})";
const std::string kModel = "claude-sonnet-4-5@20250929";
const std::string kBase = "https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/"
                          "publishers/anthropic/models/claude-sonnet-4-5%4020250929";

Request chat(bool stream) {
    Request r;
    r.model = kModel;
    r.stream = stream;
    r.max_tokens = 300;
    r.present = HELIX_HAS_MAX_TOKENS;
    r.messages = {Message::system("Be terse."), Message::user("Weather in Paris?")};
    r.tools = {Tool{"get_weather", "Current weather", R"({"type":"object","properties":{"city":{"type":"string"}}})"}};
    return r;
}

std::string ev(const std::string &type, const std::string &data) { return helix::api::sse_event(type, data); }

} // namespace

BOOST_AUTO_TEST_CASE(claude_models_are_listed_when_configured_and_speak_the_messages_api) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    bool found = false;
    for (const auto &m : h.models()) {
        const std::string id(m.id.data, m.id.len);
        const bool claude = id == kModel;
        found = found || claude;
        BOOST_TEST(((m.capabilities & HELIX_MODEL_MESSAGES) != 0) == claude, id);
        BOOST_TEST((m.capabilities & HELIX_MODEL_COUNT_TOKENS) == 0u, id);
    }
    BOOST_TEST(found);
    // Not listed unless configured: Claude is enabled per project in the Model Garden.
    Harness defaults(R"({"project_id":"proj-1","access_token":"t"})");
    for (const auto &m : defaults.models()) BOOST_TEST(!std::string(m.id.data, m.id.len).starts_with("claude"));
}

BOOST_AUTO_TEST_CASE(chat_goes_to_raw_predict_in_anthropics_shape) {
    Harness h(kConfig);
    Request r = chat(false);
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == kBase + ":rawPredict");
    BOOST_TEST(p.header("Authorization") == "Bearer ya29.fixed-token");
    BOOST_TEST(!p.has_header("x-api-key"));
    BOOST_TEST(!p.streaming);
    const json::object body = json::parse(p.body).as_object();
    BOOST_TEST(!body.contains("model"));
    BOOST_TEST(!body.contains("stream"));
    BOOST_TEST(body.at("anthropic_version") == "vertex-2023-10-16");
    BOOST_TEST(body.at("system") == "Be terse.");
    BOOST_TEST(body.at("max_tokens") == 300);
    BOOST_TEST(body.at("tools").at(0).at("name") == "get_weather");
    BOOST_TEST(json::serialize(body.at("messages")) ==
               R"([{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]}])");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(a_chat_stream_goes_to_stream_raw_predict_and_decodes_anthropics_events) {
    Harness h(kConfig);
    Request r = chat(true);
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == kBase + ":streamRawPredict");
    BOOST_TEST(p.streaming);
    BOOST_TEST(p.header("Accept") == "text/event-stream");
    BOOST_TEST(json::parse(p.body).at("stream") == true);
    h.descriptor().call_free(p.call);
    const std::string stream =
        ev("message_start", R"({"type":"message_start","message":{"id":"msg_vrtx_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":12,"output_tokens":1}}})") +
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
        ev("ping", R"({"type":"ping"})") +
        ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Sunny"}})") +
        ev("content_block_stop", R"({"type":"content_block_stop","index":0})") +
        ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}})") +
        ev("message_stop", R"({"type":"message_stop"})");
    expect_events(h, r, 200, sse_headers(), stream,
                  "START id=msg_vrtx_01 model=claude-sonnet-4-5-20250929\n"
                  "TEXT c=0 Sunny\n"
                  "FINISH c=0 stop\n"
                  "USAGE 12/3/0\n");
}

BOOST_AUTO_TEST_CASE(errors_keep_their_status_whether_anthropics_or_googles) {
    Harness h(kConfig);
    Request r = chat(false);
    const Outcome bad = run_all_chunkings(
        h, r, 400, json_headers(),
        R"({"type":"error","error":{"type":"invalid_request_error","message":"messages.0: bad turn"}})");
    BOOST_TEST(bad.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(bad.http_status == 400);
    BOOST_TEST(bad.message.find("bad turn") != std::string::npos, bad.message);
    const Outcome quota = run_all_chunkings(
        h, r, 429, json_headers(),
        R"({"error":{"code":429,"message":"Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model","status":"RESOURCE_EXHAUSTED"}})");
    BOOST_TEST(quota.status == HELIX_ERR_RETRY);
    BOOST_TEST(quota.message.find("Quota exceeded") != std::string::npos, quota.message);
    const Outcome auth = run_all_chunkings(
        h, r, 401, json_headers(),
        R"({"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}})");
    BOOST_TEST(auth.status == HELIX_ERR_AUTH);
}

BOOST_AUTO_TEST_CASE(messages_pass_through_with_only_what_raw_predict_accepts) {
    Harness h(kConfig);
    const std::string body =
        R"({"model":"gcp-vertex/claude-sonnet-4-5@20250929","max_tokens":512,"stream":true,"system":"Be terse.",)"
        R"("messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"EqQB=="}]},)"
        R"({"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}],)"
        R"("thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"u","tags":[1]},)"
        R"("service_tier":"auto","container":"c","unknown":1})";
    MessagesCase c(kModel, body, HELIX_MESSAGES_CREATE, true, {"interleaved-thinking-2025-05-14, context-1m-2025-08-07"},
                   "2023-06-01");
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == kBase + ":streamRawPredict");
    BOOST_TEST(p.header("anthropic-beta") == "interleaved-thinking-2025-05-14,context-1m-2025-08-07");
    BOOST_TEST(p.header("Authorization") == "Bearer ya29.fixed-token");
    const json::object sent = json::parse(p.body).as_object();
    std::vector<std::string> keys;
    for (const auto &kv : sent) keys.emplace_back(kv.key());
    std::sort(keys.begin(), keys.end());
    const std::vector<std::string> expected{"anthropic_version", "max_tokens", "messages", "metadata",
                                            "stream",            "system",     "thinking"};
    BOOST_TEST(keys == expected, boost::test_tools::per_element());
    BOOST_TEST(sent.at("anthropic_version") == "vertex-2023-10-16");
    BOOST_TEST(sent.at("messages") == json::parse(body).at("messages")); // signatures, cache_control untouched
    BOOST_TEST(json::serialize(sent.at("metadata")) == R"({"user_id":"u"})");
    h.descriptor().call_free(p.call);

    const std::string start = R"({"type":"message_start","message":{"id":"msg_1","content":[],"usage":{}}})";
    const std::string stop = R"({"type":"message_stop"})";
    expect_events(h, c.outer, 200, sse_headers(), ev("message_start", start) + ev("message_stop", stop),
                  "MESSAGES message_start " + start + "\nMESSAGES message_stop " + stop + "\n");
}

BOOST_AUTO_TEST_CASE(a_whole_message_is_relayed_and_count_tokens_is_left_to_the_host) {
    Harness h(kConfig);
    const std::string body = R"({"model":"x","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]})";
    MessagesCase c(kModel, body, HELIX_MESSAGES_CREATE, false);
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == kBase + ":rawPredict");
    BOOST_TEST(!json::parse(p.body).as_object().contains("stream"));
    h.descriptor().call_free(p.call);
    const std::string reply = R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",)"
                              R"("content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}})";
    const Outcome o = run_all_chunkings(h, c.outer, 200, json_headers(), reply);
    BOOST_TEST_REQUIRE(o.status == HELIX_OK, o.message);
    BOOST_TEST(json::parse(o.events.substr(17)) == json::parse(reply));

    MessagesCase count(kModel, body, HELIX_MESSAGES_COUNT_TOKENS, false);
    Prepared refused = h.prepare(count.outer);
    BOOST_TEST(refused.status == HELIX_ERR_NOT_SUPPORTED);
}
