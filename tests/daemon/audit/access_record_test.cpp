#define BOOST_TEST_MODULE access_record
#include <boost/test/unit_test.hpp>

#include "daemon/audit/access_record.hpp"

#include <boost/json.hpp>

using helix::audit::AccessRecord;
using helix::audit::to_json_line;

namespace {

AccessRecord answered_request() {
    AccessRecord r;
    r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
    r.request_id = "req-1";
    r.remote = "127.0.0.1";
    r.method = "POST";
    r.path = "/v1/chat/completions";
    r.client = "alice";
    r.model_asked = "gpt-4o";
    r.stream = true;
    r.provider = "azure-openai";
    r.model = "gpt-4o";
    r.attempts = {{"openai", "gpt-4o", "failure", "rate_limited", 429, 0.1234567},
                  {"azure-openai", "gpt-4o", "success", "", 0, 0.5}};
    r.status = 200;
    r.tokens_in = 12;
    r.tokens_out = 34;
    r.cost_usd = 0.0012;
    r.latency_seconds = 0.75;
    r.first_token_seconds = 0.25;
    r.request_body = R"({"messages":[{"role":"user","content":"the secret plan"}]})";
    r.completion = "the answer";
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(one_json_line_with_every_fact) {
    const std::string line = to_json_line(answered_request(), false);
    BOOST_TEST_REQUIRE(line.back() == '\n');
    BOOST_TEST(line.find('\n') == line.size() - 1);
    const auto json = boost::json::parse(line).as_object();
    BOOST_TEST(json.at("time").as_string() == "2023-11-14T22:13:20.123Z");
    BOOST_TEST(json.at("request_id").as_string() == "req-1");
    BOOST_TEST(json.at("client").as_string() == "alice");
    BOOST_TEST(json.at("model_asked").as_string() == "gpt-4o");
    BOOST_TEST(json.at("stream").as_bool());
    BOOST_TEST(json.at("provider").as_string() == "azure-openai");
    BOOST_TEST(json.at("model").as_string() == "gpt-4o");
    BOOST_TEST(json.at("status").as_int64() == 200);
    BOOST_TEST(json.at("tokens_in").as_int64() == 12);
    BOOST_TEST(json.at("tokens_out").as_int64() == 34);
    BOOST_TEST(json.at("cost_usd").as_double() == 0.0012);
    BOOST_TEST(json.at("latency_seconds").as_double() == 0.75);
    BOOST_TEST(json.at("first_token_seconds").as_double() == 0.25);
    const auto &attempts = json.at("attempts").as_array();
    BOOST_TEST_REQUIRE(attempts.size() == 2U);
    BOOST_TEST(attempts[0].at("outcome").as_string() == "failure");
    BOOST_TEST(attempts[0].at("error").as_string() == "rate_limited");
    BOOST_TEST(attempts[0].at("status").as_int64() == 429);
    BOOST_TEST(attempts[0].at("seconds").as_double() == 0.123457); // rounded to microseconds
    BOOST_TEST(!attempts[1].as_object().contains("error"));
}

BOOST_AUTO_TEST_CASE(no_prompt_or_completion_unless_asked) {
    const std::string without = to_json_line(answered_request(), false);
    BOOST_TEST(without.find("secret plan") == std::string::npos);
    BOOST_TEST(without.find("the answer") == std::string::npos);
    const auto with = boost::json::parse(to_json_line(answered_request(), true)).as_object();
    BOOST_TEST(with.at("request_body").as_string().find("the secret plan") != std::string::npos);
    BOOST_TEST(with.at("completion").as_string() == "the answer");
}

BOOST_AUTO_TEST_CASE(a_refused_request_has_no_client_and_no_target) {
    AccessRecord r;
    r.method = "GET";
    r.path = "/v1/models";
    r.status = 401;
    const auto json = boost::json::parse(to_json_line(r, false)).as_object();
    BOOST_TEST(json.at("client").is_null());
    BOOST_TEST(!json.contains("provider"));
    BOOST_TEST(!json.contains("tokens_in"));
    BOOST_TEST(json.at("attempts").as_array().empty());
    BOOST_TEST(json.at("status").as_int64() == 401);
}

BOOST_AUTO_TEST_CASE(control_characters_and_quotes_stay_inside_one_line) {
    AccessRecord r;
    r.model_asked = "evil\"\n{\"status\":200}";
    r.path = "/v1/x\r\ny";
    const std::string line = to_json_line(r, false);
    BOOST_TEST(line.find('\n') == line.size() - 1);
    const auto json = boost::json::parse(line).as_object();
    BOOST_TEST(json.at("model_asked").as_string() == "evil\"\n{\"status\":200}");
}

BOOST_AUTO_TEST_CASE(completion_text_is_capped) {
    AccessRecord r;
    const std::string chunk(1000, 'x');
    for (int i = 0; i < 2000; ++i) r.add_completion_text(chunk);
    BOOST_TEST(r.completion.size() == AccessRecord::max_completion_bytes);
    BOOST_TEST(r.completion_truncated);
}
