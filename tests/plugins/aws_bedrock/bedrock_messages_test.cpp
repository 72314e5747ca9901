#define BOOST_TEST_MODULE plugins_aws_bedrock_messages
#include <boost/test/unit_test.hpp>

#include "bedrock_test_support.hpp"
#include "../messages_case.hpp"

#include <boost/json.hpp>

using namespace helix::test;
using namespace helix::test::bedrock;
namespace json = boost::json;

namespace {

const std::string kConfig = R"({"access_key_id":"AKIDEXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"})";
const std::string kModel = "anthropic.claude-3-5-sonnet-20241022-v2:0";

// What a client of Anthropic's API may send: the fields InvokeModel takes,
// and others it refuses ("extraneous key [...] is not permitted").
const std::string kBody =
    R"({"model":"aws-bedrock/claude","max_tokens":256,"stream":true,"system":"Be terse.",)"
    R"("messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}],)"
    R"("thinking":{"type":"enabled","budget_tokens":1024},"temperature":1,"top_k":5,"stop_sequences":["END"],)"
    R"("metadata":{"user_id":"u-1","tags":["x"]},"service_tier":"auto","container":"c1","mcp_servers":[],)"
    R"("context_management":{},"unknown_field":true,"anthropic_version":"2023-06-01"})";

} // namespace

BOOST_AUTO_TEST_CASE(invoke_model_gets_only_the_members_it_accepts) {
    Harness h(kConfig);
    MessagesCase c(kModel, kBody, HELIX_MESSAGES_CREATE, true, {"interleaved-thinking-2025-05-14"});
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url.ends_with("/model/" + std::string("anthropic.claude-3-5-sonnet-20241022-v2%3A0") +
                               "/invoke-with-response-stream"),
               p.url);
    BOOST_TEST(p.streaming);
    const json::object sent = json::parse(p.body).as_object();
    std::vector<std::string> keys;
    for (const auto &kv : sent) keys.emplace_back(kv.key());
    std::sort(keys.begin(), keys.end());
    const std::vector<std::string> expected{"anthropic_beta", "anthropic_version", "max_tokens", "messages", "metadata",
                                            "stop_sequences", "system",          "temperature", "thinking", "top_k"};
    BOOST_TEST(keys == expected, boost::test_tools::per_element());
    BOOST_TEST(sent.at("anthropic_version") == "bedrock-2023-05-31");
    BOOST_TEST(json::serialize(sent.at("anthropic_beta")) == R"(["interleaved-thinking-2025-05-14"])");
    BOOST_TEST(json::serialize(sent.at("metadata")) == R"({"user_id":"u-1"})");
    // Content goes as sent (cache_control included).
    BOOST_TEST(sent.at("messages") == json::parse(kBody).at("messages"));
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(extra_fields_passes_a_member_bedrock_learns_later) {
    Harness h(R"({"access_key_id":"AKIDEXAMPLE","secret_access_key":"s","extra_fields":["context_management"]})");
    MessagesCase c(kModel, kBody, HELIX_MESSAGES_CREATE, false);
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    const json::object sent = json::parse(p.body).as_object();
    BOOST_TEST(sent.contains("context_management"));
    BOOST_TEST(!sent.contains("stream"));
    BOOST_TEST(!sent.contains("model"));
    BOOST_TEST(p.url.ends_with("/invoke"), p.url);
    h.descriptor().call_free(p.call);
}
