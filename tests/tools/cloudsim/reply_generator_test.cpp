#define BOOST_TEST_MODULE cloudsim_reply_generator
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json/parse.hpp>

#include <ostream>

namespace helix::cloudsim {
std::ostream &operator<<(std::ostream &out, FinishReason f) { return out << static_cast<int>(f); }
} // namespace helix::cloudsim

using namespace helix::cloudsim;

namespace {

SimPrompt prompt_with(std::string user_text) {
    SimPrompt p;
    p.model = "m";
    p.all_text = user_text;
    p.prompt_tokens = count_tokens(user_text);
    p.last_user_text = std::move(user_text);
    return p;
}

std::string join(const std::vector<std::string> &pieces) {
    std::string out;
    for (const auto &p : pieces) out += p;
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(tokens_are_whitespace_separated_words) {
    BOOST_TEST(count_tokens("") == 0U);
    BOOST_TEST(count_tokens("   \t\n ") == 0U);
    BOOST_TEST(count_tokens("one") == 1U);
    BOOST_TEST(count_tokens("  one two\tthree\nfour  ") == 4U);
    BOOST_TEST(count_tokens("{\"a\":1,\"b\":2}") == 1U);
}

BOOST_AUTO_TEST_CASE(pieces_concatenate_to_the_text) {
    for (const std::string text : {"", "   ", "a", " a", "a ", "  hello   world\n\tagain  ", "x y z"}) {
        const auto pieces = split_pieces(text);
        BOOST_TEST(join(pieces) == text);
        if (count_tokens(text) > 0) BOOST_TEST(pieces.size() == count_tokens(text));
    }
}

BOOST_AUTO_TEST_CASE(fragments_keep_utf8_sequences_whole) {
    const std::string text = "{\"city\":\"Z\xC3\xBCrich \xE2\x82\xAC\"}"; // Zürich €
    for (std::size_t n : {1U, 2U, 3U, 8U, 100U}) {
        const auto frags = split_fragments(text, n);
        BOOST_TEST(join(frags) == text);
        for (const auto &f : frags) {
            BOOST_TEST(!f.empty());
            BOOST_TEST((static_cast<unsigned char>(f.front()) & 0xC0U) != 0x80U);
        }
    }
    BOOST_TEST(split_fragments("", 8).empty());
}

BOOST_AUTO_TEST_CASE(reply_is_deterministic_and_has_the_asked_length) {
    const auto p = prompt_with("Hello there, how are you?");
    const Reply a = generate_reply(p, 20);
    const Reply b = generate_reply(p, 20);
    BOOST_TEST(a.text() == b.text());
    BOOST_TEST(a.pieces.size() == 20U);
    BOOST_TEST(a.completion_tokens == 20U);
    BOOST_TEST(count_tokens(a.text()) == 20U);
    BOOST_TEST(a.prompt_tokens == 5U);
    BOOST_TEST(a.text().rfind("You said: Hello there, how are you?", 0) == 0U);
    BOOST_TEST(a.finish == FinishReason::stop);
    BOOST_TEST(!a.tool_call.has_value());

    const Reply other = generate_reply(prompt_with("Something else entirely"), 20);
    BOOST_TEST(other.text() != a.text());
    BOOST_TEST(generate_reply(p, 1).text() == "You.");
    BOOST_TEST(generate_reply(p, 500).completion_tokens == 500U);
}

BOOST_AUTO_TEST_CASE(reply_is_cut_at_max_tokens) {
    auto p = prompt_with("Hello");
    p.max_tokens = 3;
    const Reply r = generate_reply(p, 20);
    BOOST_TEST(r.completion_tokens == 3U);
    BOOST_TEST(r.finish == FinishReason::length);
}

BOOST_AUTO_TEST_CASE(directives_are_not_echoed) {
    const Reply r = generate_reply(prompt_with("[[fault:500]] hi"), 4);
    BOOST_TEST(r.text().rfind("You said: hi ", 0) == 0U);
    BOOST_TEST(r.text().find("[[") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tool_directive_is_found) {
    BOOST_TEST(find_tool_directive("please call tool get_weather now").value_or("") == "get_weather");
    BOOST_TEST(find_tool_directive("Call Tool lookup.v2.").value_or("") == "lookup.v2");
    BOOST_TEST(!find_tool_directive("recall tool x").has_value());
    BOOST_TEST(!find_tool_directive("call tool").has_value());
    BOOST_TEST(!find_tool_directive("no directive").has_value());
}

BOOST_AUTO_TEST_CASE(tool_arguments_follow_the_schema) {
    const auto schema = boost::json::parse(R"({"type":"object","properties":{
        "city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},
        "days":{"type":"integer"},"lat":{"type":"number"},"exact":{"type":"boolean"},
        "tags":{"type":"array"},"opts":{"type":"object"},"any":{}}})");
    const auto args = boost::json::parse(tool_arguments_for(schema)).as_object();
    BOOST_TEST(args.at("city").as_string() == "sim-city");
    BOOST_TEST(args.at("unit").as_string() == "celsius");
    BOOST_TEST(args.at("days").as_int64() == 42);
    BOOST_TEST(args.at("lat").as_double() == 3.5);
    BOOST_TEST(args.at("exact").as_bool());
    BOOST_TEST(args.at("tags").as_array().empty());
    BOOST_TEST(args.at("opts").as_object().empty());
    BOOST_TEST(args.at("any").is_null());
    BOOST_TEST(tool_arguments_for(boost::json::value()) == "{}");
}

BOOST_AUTO_TEST_CASE(tool_call_when_the_directive_names_an_offered_tool) {
    auto p = prompt_with("What is the weather? call tool get_weather");
    p.tools.push_back({"lookup", boost::json::parse(R"({"properties":{"q":{"type":"string"}}})")});
    p.tools.push_back({"get_weather", boost::json::parse(R"({"properties":{"city":{"type":"string"}}})")});
    const Reply r = generate_reply(p, 20);
    BOOST_REQUIRE(r.tool_call.has_value());
    BOOST_TEST(r.tool_call->name == "get_weather");
    BOOST_TEST(r.tool_call->arguments == R"({"city":"sim-city"})");
    BOOST_TEST(r.finish == FinishReason::tool_call);
    BOOST_TEST(r.completion_tokens == 2U);
    BOOST_TEST(r.tool_call->id_suffix == generate_reply(p, 20).tool_call->id_suffix);

    p.tool_choice = ToolChoice::none;
    BOOST_TEST(!generate_reply(p, 20).tool_call.has_value());

    auto unknown = prompt_with("call tool nope");
    unknown.tools = p.tools;
    BOOST_TEST(!generate_reply(unknown, 20).tool_call.has_value());
    unknown.tool_choice = ToolChoice::required;
    BOOST_TEST(generate_reply(unknown, 20).tool_call->name == "lookup");
    unknown.tool_choice = ToolChoice::named;
    unknown.tool_choice_name = "get_weather";
    BOOST_TEST(generate_reply(unknown, 20).tool_call->name == "get_weather");
}

BOOST_AUTO_TEST_CASE(tool_result_is_quoted) {
    auto p = prompt_with("call tool get_weather");
    p.tools.push_back({"get_weather", boost::json::value()});
    p.ends_with_tool_result = true;
    p.tool_result_text = "{\"temp\": 21, \"sky\": \"clear\"}";
    const Reply r = generate_reply(p, 20);
    BOOST_TEST(!r.tool_call.has_value());
    BOOST_TEST(r.text() == "Tool result: {\"temp\": 21, \"sky\": \"clear\"}");
    BOOST_TEST(r.completion_tokens == count_tokens(r.text()));
}
