#define BOOST_TEST_MODULE api_messages_translation
#include <boost/test/unit_test.hpp>

#include "daemon/api/messages_translation.hpp"
#include "daemon/api/token_estimate.hpp"

#include <boost/json.hpp>

using namespace helix::api;

namespace {

std::string_view sv(helix_str s) { return {s.data, s.len}; }

} // namespace

BOOST_AUTO_TEST_CASE(a_tool_loop_becomes_the_chat_completion_it_means) {
    const boost::json::value r = boost::json::parse(R"({"model":"openai/gpt-4o","max_tokens":100,"stream":true,
      "system":[{"type":"text","text":"Be terse."}],"stop_sequences":["END"],"temperature":0.2,
      "tools":[{"name":"get_weather","description":"w","input_schema":{"type":"object"}}],
      "tool_choice":{"type":"any","disable_parallel_tool_use":true},
      "messages":[{"role":"user","content":[{"type":"text","text":"Weather?"},
                    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}]},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},
                    {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
                    {"type":"text","text":"And tomorrow?"}]}]})");
    auto t = translate_messages_to_chat(r.as_object());
    BOOST_TEST_REQUIRE(std::holds_alternative<ChatRequest>(t));
    const helix_chat_request &c = std::get<ChatRequest>(t).view();
    BOOST_TEST(c.stream == 1);
    BOOST_TEST(c.include_usage == 1);
    BOOST_TEST(c.max_tokens == 100);
    BOOST_TEST(c.stop_count == 1u);
    BOOST_TEST(c.tool_count == 1u);
    BOOST_TEST(c.tool_choice == HELIX_TOOL_CHOICE_REQUIRED);
    BOOST_TEST(c.parallel_tool_calls == 0);
    BOOST_TEST_REQUIRE(c.message_count == 5u);
    BOOST_TEST(c.messages[0]->role == HELIX_ROLE_SYSTEM);
    BOOST_TEST(sv(c.messages[0]->text) == "Be terse.");
    BOOST_TEST(c.messages[1]->part_count == 2u);
    BOOST_TEST(c.messages[1]->parts[1]->type == HELIX_PART_IMAGE_URL);
    BOOST_TEST(sv(c.messages[1]->parts[1]->image_url) == "data:image/png;base64,iVBO");
    BOOST_TEST(c.messages[2]->role == HELIX_ROLE_ASSISTANT);
    BOOST_TEST_REQUIRE(c.messages[2]->tool_call_count == 1u);
    BOOST_TEST(sv(c.messages[2]->tool_calls[0]->arguments) == R"({"city":"Paris"})");
    BOOST_TEST(c.messages[3]->role == HELIX_ROLE_TOOL);
    BOOST_TEST(sv(c.messages[3]->tool_call_id) == "toolu_1");
    BOOST_TEST(c.messages[4]->role == HELIX_ROLE_USER);
    BOOST_TEST(sv(c.messages[4]->text) == "And tomorrow?");
}

BOOST_AUTO_TEST_CASE(what_has_no_chat_form_is_refused_naming_the_field) {
    const boost::json::value doc = boost::json::parse(R"({"model":"m","max_tokens":5,"messages":[{"role":"user",
      "content":[{"type":"text","text":"x"},{"type":"search_result","source":"https://x","title":"t","content":[]}]}]})");
    auto t = translate_messages_to_chat(doc.as_object());
    BOOST_TEST_REQUIRE(std::holds_alternative<ApiError>(t));
    BOOST_TEST(std::get<ApiError>(t).param == "messages[0].content[1].type");
    const boost::json::value server = boost::json::parse(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],
      "tools":[{"type":"web_search_20250305","name":"web_search"}]})");
    auto s = translate_messages_to_chat(server.as_object());
    BOOST_TEST_REQUIRE(std::holds_alternative<ApiError>(s));
    BOOST_TEST(std::get<ApiError>(s).param == "tools[0].type");
}

// Document blocks become file parts: base64 and text sources as bytes, url
// sources by their URL, the title as the file name.
BOOST_AUTO_TEST_CASE(documents_become_file_parts) {
    const boost::json::value doc = boost::json::parse(R"({"model":"m","max_tokens":5,"messages":[{"role":"user",
      "content":[{"type":"text","text":"x"},
        {"type":"document","title":"report.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQK"}},
        {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain words"}},
        {"type":"document","source":{"type":"url","url":"https://example.com/c.pdf"}}]}]})");
    auto t = translate_messages_to_chat(doc.as_object());
    BOOST_TEST_REQUIRE(std::holds_alternative<ChatRequest>(t));
    const helix_message &m = *std::get<ChatRequest>(t).view().messages[0];
    BOOST_TEST_REQUIRE(m.part_count == 4u);
    BOOST_TEST(m.parts[1]->type == HELIX_PART_DOCUMENT);
    BOOST_TEST(m.parts[1]->source == HELIX_SOURCE_BYTES);
    BOOST_TEST(sv(m.parts[1]->filename) == "report.pdf");
    BOOST_TEST(m.parts[1]->data_len == 9u);
    BOOST_TEST(sv(m.parts[2]->media_type) == "text/plain");
    BOOST_TEST(std::string_view(reinterpret_cast<const char *>(m.parts[2]->data), m.parts[2]->data_len) == "plain words");
    BOOST_TEST(m.parts[3]->source == HELIX_SOURCE_URL);
    BOOST_TEST(sv(m.parts[3]->uri) == "https://example.com/c.pdf");
}

BOOST_AUTO_TEST_CASE(the_token_estimate_counts_text_messages_and_images) {
    const boost::json::value r = boost::json::parse(R"({"model":"m","system":"abcdefgh","messages":[
      {"role":"user","content":[{"type":"text","text":"abcd"},{"type":"image","source":{"type":"url","url":"https://x"}}]}]})");
    BOOST_TEST(estimate_input_tokens(r.as_object()) == 3 + 1600 + 3); // 12 characters, one message, one image
}

// cache_control of a Messages request reaches the chat request where it was:
// on system blocks (kept apart), text and image parts, tool results, an
// assistant turn and tools.
BOOST_AUTO_TEST_CASE(cache_control_is_kept_where_the_client_put_it) {
    const boost::json::value r = boost::json::parse(R"({"model":"aws-bedrock/amazon.nova-pro","max_tokens":100,
      "system":[{"type":"text","text":"Long rules.","cache_control":{"type":"ephemeral","ttl":"1h"}},{"type":"text","text":"More."}],
      "tools":[{"name":"get_weather","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
      "messages":[{"role":"user","content":[{"type":"text","text":"Doc.","cache_control":{"type":"ephemeral"}},
                    {"type":"text","text":"Weather?"}]},
                  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{},
                    "cache_control":{"type":"ephemeral"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",
                    "content":[{"type":"text","text":"18C","cache_control":{"type":"ephemeral"}}]}]}]})");
    auto t = translate_messages_to_chat(r.as_object());
    BOOST_TEST_REQUIRE(std::holds_alternative<ChatRequest>(t));
    const helix_chat_request &c = std::get<ChatRequest>(t).view();
    BOOST_TEST_REQUIRE(c.message_count == 4u);
    BOOST_TEST_REQUIRE(c.messages[0]->part_count == 2u);
    BOOST_TEST(sv(c.messages[0]->parts[0]->text) == "Long rules.");
    BOOST_TEST(c.messages[0]->parts[0]->cache_control == HELIX_CACHE_EPHEMERAL_1H);
    BOOST_TEST(c.messages[0]->parts[1]->cache_control == HELIX_CACHE_NONE);
    BOOST_TEST_REQUIRE(c.messages[1]->part_count == 2u);
    BOOST_TEST(c.messages[1]->parts[0]->cache_control == HELIX_CACHE_EPHEMERAL);
    BOOST_TEST(c.messages[2]->cache_control == HELIX_CACHE_EPHEMERAL);
    BOOST_TEST(c.messages[3]->role == HELIX_ROLE_TOOL);
    BOOST_TEST(c.messages[3]->cache_control == HELIX_CACHE_EPHEMERAL);
    BOOST_TEST(c.tools[0]->cache_control == HELIX_CACHE_EPHEMERAL);
}
