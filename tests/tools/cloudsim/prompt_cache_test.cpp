#define BOOST_TEST_MODULE cloudsim_prompt_cache
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/anthropic_wire.hpp"
#include "tools/cloudsim/bedrock_wire.hpp"
#include "tools/cloudsim/prompt_cache.hpp"

#include <boost/json/parse.hpp>

#include <string>

using namespace helix::cloudsim;
namespace json = boost::json;

namespace {

// `words` tokens of text unique to `tag`.
std::string words(const std::string &tag, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i == 0 ? "" : " ") + tag + std::to_string(i);
    return out;
}

std::string claude_body(const std::string &system, const std::string &question, const std::string &cache_control) {
    return R"({"model":"claude-sonnet-4-5","max_tokens":100,"system":[{"type":"text","text":")" + system +
           R"(","cache_control":)" + cache_control + R"(}],"messages":[{"role":"user","content":")" + question + R"("}]})";
}

Reply claude_reply(const std::string &body) {
    anthropic::ApiError error;
    const auto request = anthropic::parse_messages_request(body, error);
    BOOST_TEST_REQUIRE(request.has_value(), error.message);
    return generate_reply(request->prompt, 5);
}

} // namespace

BOOST_AUTO_TEST_CASE(an_anthropic_breakpoint_is_written_then_read) {
    const std::string system = words("anthropicsys", 1100);
    const Reply first = claude_reply(claude_body(system, "one", R"({"type":"ephemeral"})"));
    BOOST_TEST(first.cache_write_tokens == 1100u);
    BOOST_TEST(first.cache_read_tokens == 0u);
    const Reply second = claude_reply(claude_body(system, "two", R"({"type":"ephemeral","ttl":"1h"})"));
    BOOST_TEST(second.cache_read_tokens == 1100u);
    BOOST_TEST(second.cache_write_tokens == 0u);
    BOOST_TEST(second.prompt_tokens == 1101u);
    const std::string body = anthropic::message_body(second, {"msg_1", "claude-sonnet-4-5"});
    const json::value usage = json::parse(body).at("usage");
    BOOST_TEST(usage.at("input_tokens").as_int64() == 1);
    BOOST_TEST(usage.at("cache_read_input_tokens").as_int64() == 1100);
}

BOOST_AUTO_TEST_CASE(a_short_prefix_is_not_cached) {
    const std::string system = words("shortsys", 1023);
    claude_reply(claude_body(system, "one", R"({"type":"ephemeral"})"));
    const Reply again = claude_reply(claude_body(system, "two", R"({"type":"ephemeral"})"));
    BOOST_TEST(again.cache_read_tokens == 0u);
    BOOST_TEST(again.cache_write_tokens == 0u);
}

BOOST_AUTO_TEST_CASE(bad_or_too_many_breakpoints_are_refused) {
    anthropic::ApiError error;
    BOOST_TEST(!anthropic::parse_messages_request(claude_body("s", "q", R"({"type":"forever"})"), error));
    BOOST_TEST(error.message.find("system.0.cache_control.type") != std::string::npos, error.message);
    BOOST_TEST(!anthropic::parse_messages_request(claude_body("s", "q", R"({"type":"ephemeral","ttl":"2h"})"), error));
    BOOST_TEST(error.message.find("ttl") != std::string::npos, error.message);
    const std::string cc = R"(,"cache_control":{"type":"ephemeral"})";
    std::string blocks;
    for (int i = 0; i < 5; ++i) blocks += std::string(i ? "," : "") + R"({"type":"text","text":"t")" + cc + "}";
    const std::string five = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[)" + blocks + "]}]}";
    BOOST_TEST(!anthropic::parse_messages_request(five, error));
    BOOST_TEST(error.message == "A maximum of 4 blocks with cache_control may be provided. Found 5.");
}

BOOST_AUTO_TEST_CASE(automatic_caching_reads_whole_blocks_and_writes_nothing) {
    SimPrompt prompt;
    prompt.model = "gpt-4o";
    prompt.automatic_cache = true;
    prompt.all_text = words("auto", 1300);
    prompt.prompt_tokens = 1300;
    mark_cache_point(prompt);
    CacheUse use = use_prompt_cache(prompt);
    BOOST_TEST(use.read == 0u);
    BOOST_TEST(use.write == 0u);
    use = use_prompt_cache(prompt);
    BOOST_TEST(use.read == 1280u); // 1,024 + 2 x 128
    BOOST_TEST(use.write == 0u);
    prompt.model = "gpt-4.1"; // another model's cache is not this one's
    BOOST_TEST(use_prompt_cache(prompt).read == 0u);
}

BOOST_AUTO_TEST_CASE(converse_cache_points_are_written_then_read_on_models_that_cache) {
    const auto body = [](const std::string &q) {
        return R"({"system":[{"text":")" + words("conversesys", 1200) +
               R"("},{"cachePoint":{"type":"default"}}],"messages":[{"role":"user","content":[{"text":")" + q + R"("}]}]})";
    };
    bedrock::ApiError error;
    auto prompt = bedrock::parse_converse_request(body("one"), "amazon.nova-pro-v1:0", error);
    BOOST_TEST_REQUIRE(prompt.has_value(), error.message);
    BOOST_TEST(generate_reply(*prompt, 3).cache_write_tokens == 1200u);
    prompt = bedrock::parse_converse_request(body("two"), "amazon.nova-pro-v1:0", error);
    BOOST_TEST_REQUIRE(prompt.has_value(), error.message);
    BOOST_TEST(generate_reply(*prompt, 3).cache_read_tokens == 1200u);
    BOOST_TEST(!bedrock::parse_converse_request(body("one"), "meta.llama3-1-70b-instruct-v1:0", error));
    BOOST_TEST(error.message.find("prompt caching") != std::string::npos, error.message);
}
