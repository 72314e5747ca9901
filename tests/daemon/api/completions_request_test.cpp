#define BOOST_TEST_MODULE api_completions_request
#include <boost/test/unit_test.hpp>

#include "daemon/api/completions_request.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace api = helix::api;
namespace json = boost::json;
using api::ApiError;
using api::CompletionsRequest;

namespace {

std::string_view sv(helix_str s) { return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len); }

CompletionsRequest ok(std::string body) {
    api::CompletionsParseResult result = api::parse_completions_request(std::move(body));
    if (const auto *error = std::get_if<ApiError>(&result))
        BOOST_FAIL("expected a valid request, got param='" << error->param << "' code='" << error->code
                                                           << "': " << error->message);
    return std::move(std::get<CompletionsRequest>(result));
}

ApiError bad(std::string body) {
    api::CompletionsParseResult result = api::parse_completions_request(body);
    if (std::holds_alternative<CompletionsRequest>(result)) BOOST_FAIL("expected an error, the body parsed: " << body);
    return std::get<ApiError>(std::move(result));
}

std::string with(std::string_view members) {
    return R"({"model":"openai/gpt-4o",)" + std::string(members) + "}";
}

void check_error(const ApiError &e, std::string_view param, std::string_view code) {
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.param == param, e.message);
    BOOST_TEST(e.code == code, e.message);
}

} // namespace

BOOST_AUTO_TEST_CASE(the_prompt_is_one_user_message_with_openais_default_of_16_tokens) {
    const auto r = ok(with(R"("prompt":"Say this is a test")"));
    const auto &v = r.chat.view();
    BOOST_TEST_REQUIRE(v.message_count == 1u);
    BOOST_TEST(v.messages[0]->role == HELIX_ROLE_USER);
    BOOST_TEST(sv(v.messages[0]->text) == "Say this is a test");
    BOOST_TEST(v.max_tokens == 16);
    BOOST_TEST(!r.chat.stream());
    BOOST_TEST(sv(ok(with(R"("prompt":["only one"])")).chat.view().messages[0]->text) == "only one");
}

BOOST_AUTO_TEST_CASE(sampling_stop_and_stream_options_carry_over) {
    const auto r = ok(with(R"("prompt":"x","max_tokens":7,"temperature":0.2,"top_p":0.5,"stop":["\n"],"stream":true,
        "stream_options":{"include_usage":true},"n":1,"best_of":1,"echo":false,"logprobs":null,"suffix":"")"));
    const auto &v = r.chat.view();
    BOOST_TEST(v.max_tokens == 7);
    BOOST_TEST(v.temperature == 0.2);
    BOOST_TEST(v.top_p == 0.5);
    BOOST_TEST_REQUIRE(v.stop_count == 1u);
    BOOST_TEST(sv(v.stop[0]) == "\n");
    BOOST_TEST(r.chat.stream());
    BOOST_TEST(r.chat.include_usage());
}

// What a chat model cannot give parses (a legacy completions model gives it)
// and keeps the 400 a chat model's request gets, naming the field.
ApiError needs_native(std::string body) {
    const CompletionsRequest r = ok(std::move(body));
    if (!r.needs_native) BOOST_FAIL("expected a request only a legacy completions model serves");
    return *r.needs_native;
}

BOOST_AUTO_TEST_CASE(what_a_chat_model_cannot_give_is_refused_naming_the_field) {
    check_error(needs_native(with(R"("prompt":"x","n":2)")), "n", "unsupported_parameter");
    check_error(needs_native(with(R"("prompt":"x","best_of":3)")), "best_of", "unsupported_parameter");
    check_error(needs_native(with(R"("prompt":"x","echo":true)")), "echo", "unsupported_parameter");
    check_error(needs_native(with(R"("prompt":"x","logprobs":2)")), "logprobs", "unsupported_parameter");
    check_error(needs_native(with(R"("prompt":"x","suffix":"end")")), "suffix", "unsupported_parameter");
    check_error(needs_native(with(R"("prompt":["a","b"])")), "prompt", "unsupported_parameter");
    check_error(needs_native(with(R"("prompt":[1,2,3])")), "prompt", "unsupported_parameter");
}

BOOST_AUTO_TEST_CASE(a_plain_request_needs_no_legacy_model) {
    for (const char *members : {R"("prompt":"x")", R"("prompt":["x"],"n":1,"best_of":1,"echo":false)",
                                R"("prompt":"x","logprobs":0,"suffix":"")",
                                R"("prompt":"x","n":null,"best_of":null,"logprobs":null,"echo":null,"suffix":null)"}) {
        const CompletionsRequest r = ok(with(members));
        BOOST_TEST(!r.needs_native.has_value(), members);
        BOOST_TEST(r.choices == 1u);
    }
}

BOOST_AUTO_TEST_CASE(the_reply_has_a_choice_per_prompt_and_n) {
    const CompletionsRequest r = ok(with(R"("prompt":["a b","c"],"n":3,"best_of":4)"));
    BOOST_TEST(r.choices == 6u);
    BOOST_TEST(sv(r.chat.view().messages[0]->text) == "a b\nc"); // the estimate counts every prompt
    const CompletionsRequest tokens = ok(with(R"("prompt":[[1,2,3],[4]])"));
    BOOST_TEST(tokens.choices == 2u);
    BOOST_TEST(tokens.prompt_tokens == 4);
    BOOST_TEST(ok(with(R"("prompt":[5,6])")).choices == 1u);
    BOOST_TEST(ok(with(R"("prompt":[5,6])")).prompt_tokens == 2);
}

BOOST_AUTO_TEST_CASE(the_legacy_fields_are_checked_as_openai_does) {
    check_error(bad(with(R"("prompt":"x","n":0)")), "n", "integer_below_min_value");
    check_error(bad(with(R"("prompt":"x","n":129)")), "n", "integer_above_max_value");
    check_error(bad(with(R"("prompt":"x","best_of":21)")), "best_of", "integer_above_max_value");
    check_error(bad(with(R"("prompt":"x","n":3,"best_of":2)")), "best_of", "invalid_value");
    check_error(bad(with(R"("prompt":"x","logprobs":6)")), "logprobs", "integer_above_max_value");
    check_error(bad(with(R"("prompt":"x","echo":"yes")")), "echo", "invalid_type");
    check_error(bad(with(R"("prompt":"x","suffix":7)")), "suffix", "invalid_type");
    check_error(bad(with(R"("prompt":["a",2])")), "prompt[1]", "invalid_type");
    check_error(bad(with(R"("prompt":[1,"a"])")), "prompt[1]", "invalid_type");
    check_error(bad(with(R"("prompt":[1,-2])")), "prompt[1]", "integer_below_min_value");
    check_error(bad(with(R"("prompt":[[1],[]])")), "prompt[1]", "empty_array");
    check_error(bad(with(R"("prompt":[[1],"a"])")), "prompt[1]", "invalid_type");
}

BOOST_AUTO_TEST_CASE(bad_fields_are_named) {
    check_error(bad(R"({"prompt":"x"})"), "model", "missing_required_parameter");
    check_error(bad(with(R"("max_tokens":5)")), "prompt", "missing_required_parameter");
    check_error(bad(with(R"("prompt":5)")), "prompt", "invalid_type");
    check_error(bad(with(R"("prompt":[])")), "prompt", "empty_array");
    check_error(bad(with(R"("prompt":"x","max_tokens":0)")), "max_tokens", "integer_below_min_value");
    check_error(bad(with(R"("prompt":"x","temperature":"hot")")), "temperature", "invalid_type");
    check_error(bad(with(R"("prompt":"x","stop":["a","b","c","d","e"])")), "stop", "array_above_max_length");
    check_error(bad(with(R"("prompt":"x","stream":1)")), "stream", "invalid_type");
}
