#define BOOST_TEST_MODULE api_response_common
#include <boost/test/unit_test.hpp>

#include "daemon/api/response_common.hpp"

#include <boost/json/parse.hpp>

#include <string>

namespace api = helix::api;
namespace d = helix::api::detail;
namespace json = boost::json;

namespace {
const std::string kFFFD = "\xEF\xBF\xBD";
}

BOOST_AUTO_TEST_CASE(valid_utf8_passes_unchanged) {
    const std::string text = "plain ASCII, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80, \xF4\x8F\xBF\xBF, \xED\x9F\xBF";
    BOOST_TEST(d::sanitize_utf8(text) == text);
    BOOST_TEST(d::sanitize_utf8("").empty());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement_characters) {
    BOOST_TEST(d::sanitize_utf8("a\xFF" "b") == "a" + kFFFD + "b");
    BOOST_TEST(d::sanitize_utf8("\x80") == kFFFD);                            // lone continuation
    BOOST_TEST(d::sanitize_utf8("\xC0\x80") == kFFFD + kFFFD);                // overlong NUL
    BOOST_TEST(d::sanitize_utf8("\xE0\x80\xAF") == kFFFD + kFFFD + kFFFD);    // overlong
    BOOST_TEST(d::sanitize_utf8("\xED\xA0\x80") == kFFFD + kFFFD + kFFFD);    // surrogate
    BOOST_TEST(d::sanitize_utf8("\xF4\x90\x80\x80") == kFFFD + kFFFD + kFFFD + kFFFD); // > U+10FFFF
    BOOST_TEST(d::sanitize_utf8("\xC3" "x") == kFFFD + "x");                  // cut short mid-text
    BOOST_TEST(d::sanitize_utf8("end\xE2\x82") == "end" + kFFFD);             // cut short at the end
}

BOOST_AUTO_TEST_CASE(split_anywhere_gives_the_same_text) {
    const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z\xFF\xC3";
    const std::string whole = d::sanitize_utf8(text);
    for (std::size_t i = 0; i <= text.size(); ++i) {
        for (std::size_t j = i; j <= text.size(); ++j) {
            std::string out;
            std::string carry;
            d::append_utf8(out, std::string_view(text).substr(0, i), carry);
            d::append_utf8(out, std::string_view(text).substr(i, j - i), carry);
            d::append_utf8(out, std::string_view(text).substr(j), carry);
            d::flush_utf8(out, carry);
            BOOST_TEST(out == whole, "split at " << i << "," << j);
        }
    }
    // Byte by byte, too.
    std::string out;
    std::string carry;
    for (const char c : text) d::append_utf8(out, std::string_view(&c, 1), carry);
    d::flush_utf8(out, carry);
    BOOST_TEST(out == whole);
}

BOOST_AUTO_TEST_CASE(finish_reason_names) {
    BOOST_TEST(d::finish_reason_name(HELIX_FINISH_STOP, false) == "stop");
    BOOST_TEST(d::finish_reason_name(HELIX_FINISH_STOP, true) == "tool_calls");
    BOOST_TEST(d::finish_reason_name(HELIX_FINISH_NONE, false) == "stop");
    BOOST_TEST(d::finish_reason_name(HELIX_FINISH_NONE, true) == "tool_calls");
    BOOST_TEST(d::finish_reason_name(HELIX_FINISH_LENGTH, true) == "length");
    BOOST_TEST(d::finish_reason_name(HELIX_FINISH_TOOL_CALLS, false) == "tool_calls");
    BOOST_TEST(d::finish_reason_name(HELIX_FINISH_CONTENT_FILTER, true) == "content_filter");
}

BOOST_AUTO_TEST_CASE(extra_placement_rule) {
    using d::ExtraPlace;
    const auto place = [](std::string_view name) { return d::place_extra(name).place; };
    const auto member = [](std::string_view name) { return std::string(d::place_extra(name).member); };
    BOOST_TEST((place("prompt_filter_results") == ExtraPlace::response));
    BOOST_TEST((place("prompt_annotations") == ExtraPlace::response));
    BOOST_TEST((place("system_fingerprint") == ExtraPlace::response));
    BOOST_TEST((place("service_tier") == ExtraPlace::response));
    BOOST_TEST((place("response.foo") == ExtraPlace::response));
    BOOST_TEST(member("response.foo") == "foo");
    BOOST_TEST((place("content_filter_results") == ExtraPlace::choice));
    BOOST_TEST(member("content_filter_results") == "content_filter_results");
    for (const char *owned : {"", "response.", "index", "message", "delta", "logprobs", "finish_reason",
                              "response.id", "response.object", "response.created", "response.model",
                              "response.choices", "response.usage"}) {
        BOOST_TEST_CONTEXT(owned) { BOOST_TEST((place(owned) == ExtraPlace::ignored)); }
    }
    BOOST_TEST(d::parse_extra("{\"a\":[1]}").has_value());
    BOOST_TEST(!d::parse_extra("{").has_value());
    BOOST_TEST(!d::parse_extra("").has_value());
    BOOST_TEST(!d::parse_extra("[1e999]").has_value());
    BOOST_TEST(!d::parse_extra(std::string(100, '[') + std::string(100, ']')).has_value());
}

BOOST_AUTO_TEST_CASE(synthesized_tool_call_ids) {
    const std::string a = d::synthesize_tool_call_id("resp-1", 0, 0);
    BOOST_TEST(a == d::synthesize_tool_call_id("resp-1", 0, 0));
    BOOST_TEST(a != d::synthesize_tool_call_id("resp-1", 0, 1));
    BOOST_TEST(a != d::synthesize_tool_call_id("resp-1", 1, 0));
    BOOST_TEST(a != d::synthesize_tool_call_id("resp-2", 0, 0));
    BOOST_TEST(a.size() == 5U + 16U + 4U);
    BOOST_TEST(a.rfind("call_", 0) == 0U);
    BOOST_TEST(a.substr(a.size() - 4) == "_0_0");
}

BOOST_AUTO_TEST_CASE(usage_object_shape) {
    api::Usage u;
    u.prompt_tokens = 12;
    u.completion_tokens = 30;
    u.cached_tokens = 8;
    BOOST_TEST(json::value(d::usage_object(u)) ==
               json::parse(R"({"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,)"
                           R"("prompt_tokens_details":{"cached_tokens":8}})"));
}

BOOST_AUTO_TEST_CASE(usage_totals_saturate_and_negative_counts_read_as_zero) {
    helix_event e{};
    e.struct_size = sizeof e;
    e.type = HELIX_EVENT_USAGE;
    e.prompt_tokens = INT64_MAX;
    e.completion_tokens = 10;
    e.cached_tokens = -4;
    helix::api::Usage usage;
    usage.record(e);
    BOOST_TEST(usage.total_tokens() == INT64_MAX);
    BOOST_TEST(usage.cached_tokens == 0);
    const auto object = helix::api::detail::usage_object(usage);
    BOOST_TEST(object.at("total_tokens").as_int64() == INT64_MAX);
}
