#define BOOST_TEST_MODULE plugins_anthropic_messages
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"
#include "../messages_case.hpp"

#include "daemon/api/sse_frame.hpp"

#include <boost/json.hpp>

using namespace helix::test;

namespace {

const std::string kKey = "sk-ant-test-0123456789";
const std::string kConfig = R"({"api_key":")" + kKey + R"(","anthropic_beta":"prompt-caching-2024-07-31"})";

// A body with everything that must reach Anthropic untouched: a thinking
// block with its signature, a redacted one, cache_control, tool_use /
// tool_result, an image and a document.
const std::string kBody =
    R"({"model":"anthropic/claude-sonnet-4-20250514","max_tokens":2048,"thinking":{"type":"enabled","budget_tokens":1024},)"
    R"("system":[{"type":"text","text":"Be terse.","cache_control":{"type":"ephemeral"}}],)"
    R"("tools":[{"name":"get_weather","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],)"
    R"("messages":[{"role":"user","content":[{"type":"text","text":"Weather?"},)"
    R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},)"
    R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}}]},)"
    R"({"role":"assistant","content":[{"type":"thinking","thinking":"Let me call the tool.","signature":"EqQBCgIYAhIM+/=="},)"
    R"({"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4a"},)"
    R"({"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}]},)"
    R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"18C"}]}]})";

// The Messages request of these tests: kBody to claude-sonnet-4-20250514.
struct Case : MessagesCase {
    Case(std::uint32_t action, bool stream, std::vector<std::string> sent_betas = {}, std::string_view version = {})
        : MessagesCase("claude-sonnet-4-20250514", kBody, action, stream, std::move(sent_betas), version) {}
};

std::string header(const Prepared &p, const std::string &name) {
    for (const auto &h : p.headers)
        if (h.name == name) return h.value;
    return "(absent)";
}

std::string ev(const std::string &type, const std::string &data) { return helix::api::sse_event(type, data); }

} // namespace

BOOST_AUTO_TEST_CASE(the_body_goes_upstream_unchanged_but_for_the_model) {
    Harness h(kConfig);
    const std::vector<std::string> betas{"interleaved-thinking-2025-05-14", " prompt-caching-2024-07-31,files-api-2025-04-14"};
    Case c(HELIX_MESSAGES_CREATE, false, betas, "2023-06-01");
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://api.anthropic.com/v1/messages");
    BOOST_TEST(header(p, "x-api-key") == kKey);
    BOOST_TEST(header(p, "anthropic-version") == "2023-06-01");
    // The client's betas in order, then the configured one, each once.
    BOOST_TEST(header(p, "anthropic-beta") == "interleaved-thinking-2025-05-14,prompt-caching-2024-07-31,files-api-2025-04-14");
    boost::json::value sent = boost::json::parse(p.body);
    boost::json::value expected = boost::json::parse(kBody);
    expected.as_object()["model"] = "claude-sonnet-4-20250514";
    BOOST_TEST(sent == expected); // signatures, redacted data, cache_control, documents: all there
    BOOST_TEST(!p.streaming);
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(count_tokens_goes_to_its_path_with_the_default_version) {
    Harness h(kConfig);
    Case c(HELIX_MESSAGES_COUNT_TOKENS, false);
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://api.anthropic.com/v1/messages/count_tokens");
    BOOST_TEST(header(p, "anthropic-version") == "2023-06-01");
    BOOST_TEST(header(p, "anthropic-beta") == "prompt-caching-2024-07-31");
    h.descriptor().call_free(p.call);
    expect_events(h, c.outer, 200, json_headers(), R"({"input_tokens":1234})",
                  "MESSAGES count_tokens {\"input_tokens\":1234}\n");
}

BOOST_AUTO_TEST_CASE(a_whole_reply_is_relayed_as_one_message_event) {
    Harness h(kConfig);
    Case c(HELIX_MESSAGES_CREATE, false);
    const std::string body = R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-20250514",)"
                             R"("content":[{"type":"thinking","thinking":"hmm","signature":"sig=="},{"type":"text","text":"Hi"}],)"
                             R"("stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":7}})";
    const Outcome o = run_all_chunkings(h, c.outer, 200, json_headers(), body);
    BOOST_TEST_REQUIRE(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events.starts_with("MESSAGES message {"));
    const boost::json::value relayed = boost::json::parse(o.events.substr(17));
    BOOST_TEST(relayed == boost::json::parse(body));
}

BOOST_AUTO_TEST_CASE(stream_events_are_relayed_in_order_as_sent) {
    Harness h(kConfig);
    Case c(HELIX_MESSAGES_CREATE, true);
    const std::string start = R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-20250514","usage":{"input_tokens":9,"output_tokens":1}}})";
    const std::string think = R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})";
    const std::string sig = R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCg=="}})";
    const std::string stop0 = R"({"type":"content_block_stop","index":0})";
    const std::string ping = R"({"type": "ping"})";
    const std::string delta = R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12}})";
    const std::string stop = R"({"type":"message_stop"})";
    const std::string stream = ev("message_start", start) + ev("content_block_start", think) + ev("ping", ping) +
                               ev("content_block_delta", sig) + ev("content_block_stop", stop0) +
                               ev("message_delta", delta) + ev("message_stop", stop);
    expect_events(h, c.outer, 200, sse_headers(), stream,
                  "MESSAGES message_start " + start + "\nMESSAGES content_block_start " + think +
                  "\nMESSAGES ping " + ping + "\nMESSAGES content_block_delta " + sig +
                  "\nMESSAGES content_block_stop " + stop0 + "\nMESSAGES message_delta " + delta +
                  "\nMESSAGES message_stop " + stop + "\n");
}

BOOST_AUTO_TEST_CASE(a_stream_cut_before_message_stop_or_an_error_event_fails) {
    Harness h(kConfig);
    Case c(HELIX_MESSAGES_CREATE, true);
    const std::string start = R"({"type":"message_start","message":{"id":"msg_1","content":[],"usage":{}}})";
    const Outcome cut = run_all_chunkings(h, c.outer, 200, sse_headers(), ev("message_start", start));
    BOOST_TEST(cut.status == HELIX_ERR_PROTOCOL);
    const Outcome overloaded = run_all_chunkings(
        h, c.outer, 200, sse_headers(),
        ev("message_start", start) +
            ev("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
    BOOST_TEST(overloaded.status == HELIX_ERR_RETRY);
    BOOST_TEST(overloaded.message.find("Overloaded") != std::string::npos, overloaded.message);
}

BOOST_AUTO_TEST_CASE(upstream_errors_keep_their_status_and_message) {
    Harness h(kConfig);
    Case c(HELIX_MESSAGES_CREATE, false);
    const Outcome bad = run_all_chunkings(
        h, c.outer, 400, json_headers(),
        R"({"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0.signature: Invalid signature"}})");
    BOOST_TEST(bad.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(bad.http_status == 400);
    BOOST_TEST(bad.message.find("Invalid signature") != std::string::npos, bad.message);
    const Outcome limited = run_all_chunkings(h, c.outer, 429, json_headers(),
                                              R"({"type":"error","error":{"type":"rate_limit_error","message":"slow"}})");
    BOOST_TEST(limited.status == HELIX_ERR_RETRY);
}

BOOST_AUTO_TEST_CASE(every_model_is_marked_as_speaking_the_messages_api) {
    Harness h(kConfig);
    const auto models = h.models();
    BOOST_TEST_REQUIRE(!models.empty());
    for (const auto &m : models) BOOST_TEST((m.capabilities & HELIX_MODEL_MESSAGES) != 0);
}

namespace {

// kBody with members Anthropic does not document, or that bill more or keep
// state at the provider, or reach other servers.
std::string with_unlisted_members() {
    boost::json::value v = boost::json::parse(kBody);
    auto &o = v.as_object();
    o["service_tier"] = "auto";
    o["container"] = "container_011";
    o["mcp_servers"] = boost::json::parse(R"([{"type":"url","url":"https://mcp.example.com","name":"x"}])");
    o["unknown_field"] = 1;
    o["metadata"] = boost::json::parse(R"({"user_id":"u-1","tags":["a"]})");
    o["stream"] = false;
    return boost::json::serialize(v);
}

// The body prepare() sends upstream for with_unlisted_members().
boost::json::object sent_body(const std::string &config, std::uint32_t action) {
    Harness h(config);
    MessagesCase c("claude-sonnet-4-20250514", with_unlisted_members(), action, false);
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    h.descriptor().call_free(p.call);
    return boost::json::parse(p.body).as_object();
}

} // namespace

BOOST_AUTO_TEST_CASE(members_outside_anthropics_documented_fields_are_dropped) {
    const boost::json::object sent = sent_body(kConfig, HELIX_MESSAGES_CREATE);
    for (const char *gone : {"service_tier", "container", "mcp_servers", "unknown_field"})
        BOOST_TEST(!sent.contains(gone), gone);
    BOOST_TEST(boost::json::serialize(sent.at("metadata")) == R"({"user_id":"u-1"})");
    BOOST_TEST(sent.at("stream") == false);
    BOOST_TEST(sent.at("thinking").at("budget_tokens") == 1024);
}

BOOST_AUTO_TEST_CASE(extra_fields_lets_an_operator_pass_a_member_on) {
    const boost::json::object sent =
        sent_body(R"({"api_key":")" + kKey + R"(","extra_fields":["service_tier"]})", HELIX_MESSAGES_CREATE);
    BOOST_TEST(sent.at("service_tier") == "auto");
    BOOST_TEST(!sent.contains("container"));
}

BOOST_AUTO_TEST_CASE(count_tokens_gets_only_what_it_accepts) {
    const boost::json::object sent = sent_body(kConfig, HELIX_MESSAGES_COUNT_TOKENS);
    for (const char *gone : {"max_tokens", "stream", "metadata", "service_tier", "unknown_field"})
        BOOST_TEST(!sent.contains(gone), gone);
    for (const char *kept : {"model", "messages", "system", "tools", "thinking"}) BOOST_TEST(sent.contains(kept), kept);
}
