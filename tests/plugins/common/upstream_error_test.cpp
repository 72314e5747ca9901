#define BOOST_TEST_MODULE plugins_common_upstream_error
#include <boost/test/unit_test.hpp>

#include "plugins/common/http_status.hpp"
#include "plugins/common/settings.hpp"
#include "plugins/common/upstream_error.hpp"

#include <string>
#include <vector>

using namespace helix::plugin_common;

BOOST_AUTO_TEST_CASE(status_classification_follows_protocols_section_6) {
    for (int s : {200, 201, 204, 299}) BOOST_TEST(classify_http_status(s) == HELIX_OK);
    for (int s : {401, 403, 407}) BOOST_TEST(classify_http_status(s) == HELIX_ERR_AUTH);
    for (int s : {408, 409, 429, 500, 502, 503, 504, 529, 599}) BOOST_TEST(classify_http_status(s) == HELIX_ERR_RETRY);
    for (int s : {100, 301, 304, 400, 402, 404, 413, 422, 451, 600, 0, -1})
        BOOST_TEST(classify_http_status(s) == HELIX_ERR_UPSTREAM);
}

BOOST_AUTO_TEST_CASE(x_should_retry_overrides_but_never_auth) {
    BOOST_TEST(classify_http_status(503, "false") == HELIX_ERR_UPSTREAM);
    BOOST_TEST(classify_http_status(400, "true") == HELIX_ERR_RETRY);
    BOOST_TEST(classify_http_status(401, "true") == HELIX_ERR_AUTH);
    BOOST_TEST(classify_http_status(503, "") == HELIX_ERR_RETRY);
    BOOST_TEST(classify_http_status(200, "false") == HELIX_OK);
}

BOOST_AUTO_TEST_CASE(redact_replaces_every_occurrence_of_the_secret) {
    BOOST_TEST(redact("key sk-123456 and sk-123456.", "sk-123456") == "key [redacted] and [redacted].");
    BOOST_TEST(redact("abc", "") == "abc");
    BOOST_TEST(redact("a b c", "b") == "a b c"); // too short to search for
}

BOOST_AUTO_TEST_CASE(http_error_statuses) {
    ResponseInfo info;
    info.status = 429;
    info.retry_after_ms = 2000;
    auto e = http_error(info, {"slow down", "rate_limit_exceeded", ""}, "");
    BOOST_TEST(e.status() == HELIX_ERR_RETRY);
    BOOST_TEST(e.http_status() == 429);
    BOOST_TEST(e.retry_after_ms() == 2000u);
    BOOST_TEST(std::string(e.what()) == "slow down");

    info = {};
    info.status = 400;
    e = http_error(info, {"bad messages", "invalid_value", "messages"}, "");
    BOOST_TEST(e.status() == HELIX_ERR_UPSTREAM);
    BOOST_TEST(e.http_status() == 400);
    BOOST_TEST(e.param() == "messages");
    BOOST_TEST(e.code() == "invalid_value");

    info.status = 302;
    e = http_error(info, {}, "");
    BOOST_TEST(e.status() == HELIX_ERR_UPSTREAM);
    BOOST_TEST(e.http_status() == 502);
    BOOST_TEST(std::string(e.what()) == "the upstream answered HTTP 302");

    info.status = 500;
    info.should_retry = "false";
    e = http_error(info, {}, "");
    BOOST_TEST(e.status() == HELIX_ERR_UPSTREAM);
    BOOST_TEST(e.http_status() == 502);
}

BOOST_AUTO_TEST_CASE(auth_errors_blame_the_gateway_and_hide_the_key) {
    ResponseInfo info;
    info.status = 401;
    const auto e = http_error(info, {"Incorrect API key provided: sk-pro****cdef", "invalid_api_key", ""}, "sk-proj-abcdef");
    BOOST_TEST(e.status() == HELIX_ERR_AUTH);
    BOOST_TEST(e.http_status() == 502);
    const std::string m = e.what();
    BOOST_TEST(m.find("gateway's credentials") != std::string::npos);
    BOOST_TEST(m.find("cdef") == std::string::npos);
    BOOST_TEST(m.find("HTTP 401") != std::string::npos);

    info.status = 403;
    const auto f = http_error(info, {"key sk-proj-abcdef lacks access", "permission_error", ""}, "sk-proj-abcdef");
    BOOST_TEST(f.status() == HELIX_ERR_AUTH);
    BOOST_TEST(std::string(f.what()).find("sk-proj-abcdef") == std::string::npos);
    BOOST_TEST(std::string(f.what()).find("[redacted]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(read_response_info_takes_headers_case_insensitively) {
    std::vector<helix_header> headers{{{"Retry-After", 11}, {"3", 1}},
                                      {{"X-Should-Retry", 14}, {"False", 5}},
                                      {{"content-type", 12}, {"Text/Event-Stream", 17}}};
    helix_http_response r{};
    r.struct_size = sizeof r;
    r.status = 503;
    r.headers = headers.data();
    r.header_count = headers.size();
    const ResponseInfo info = read_response_info(r, 0);
    BOOST_TEST(info.status == 503);
    BOOST_TEST(info.retry_after_ms == 3000u);
    BOOST_TEST(info.should_retry == "false");
    BOOST_TEST(info.content_type == "text/event-stream");
}

BOOST_AUTO_TEST_CASE(settings_reader_errors_name_the_key_and_not_the_value) {
    const auto config_error = [](const std::string &json, const std::string &needle) {
        try {
            SettingsReader r(json);
            r.reject_unknown({"base_url", "api_key", "models", "n"});
            (void)r.base_url("base_url");
            (void)r.header_value("api_key");
            (void)r.integer("n", 1, 10);
            (void)read_models(r, "models", {}, HELIX_MODEL_STREAMING);
        } catch (const helix::sdk::Error &e) {
            BOOST_TEST(e.status() == HELIX_ERR_CONFIG);
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find("s3cr3t") == std::string::npos);
            return;
        }
        BOOST_FAIL("expected a config error for " + json);
    };
    config_error("[1]", "settings must be a JSON object");
    config_error(R"({"apikey":"s3cr3t"})", "settings.apikey is not a setting");
    config_error(R"({"base_url":"ftp://s3cr3t"})", "settings.base_url must be an http");
    config_error(R"({"base_url":"https://x/?a=s3cr3t"})", "query");
    config_error(R"({"api_key":"s3cr3t\r\nX-Evil: 1"})", "settings.api_key contains a control character");
    config_error(R"({"api_key":42})", "settings.api_key must be a string");
    config_error(R"({"n":0})", "settings.n must be between 1 and 10");
    config_error(R"({"models":"gpt"})", "settings.models must be a list");
    config_error(R"({"models":[]})", "settings.models must not be empty");
    config_error(R"({"models":["a","a"]})", "listed twice");
    config_error(R"({"models":[{"id":"a","capabilities":["telepathy"]}]})", "unknown capability");
    config_error(R"({"models":[{"name":"a"}]})", "settings.models[0].name is not a model setting");
}

BOOST_AUTO_TEST_CASE(models_from_settings) {
    const std::vector<KnownModel> known{{"big", HELIX_MODEL_STREAMING | HELIX_MODEL_VISION, 1000}};
    SettingsReader r(R"({"models":["big","other",{"id":"alias","upstream_id":"big-2024","context_window":5,"capabilities":["tools","n"]}]})");
    const auto models = read_models(r, "models", known, HELIX_MODEL_STREAMING);
    BOOST_TEST_REQUIRE(models.size() == 3u);
    BOOST_TEST(models[0].id == "big");
    BOOST_TEST(models[0].capabilities == (HELIX_MODEL_STREAMING | HELIX_MODEL_VISION));
    BOOST_TEST(models[0].context_window == 1000);
    BOOST_TEST(models[1].capabilities == HELIX_MODEL_STREAMING);
    BOOST_TEST(models[1].context_window == 0);
    BOOST_TEST(models[2].upstream_id == "big-2024");
    BOOST_TEST(models[2].capabilities == (HELIX_MODEL_TOOLS | HELIX_MODEL_MULTIPLE_CHOICES));
    BOOST_TEST(models[2].context_window == 5);
    // Absent: the known list.
    const auto defaults = read_models(SettingsReader("{}"), "models", known, 0);
    BOOST_TEST_REQUIRE(defaults.size() == 1u);
    BOOST_TEST(defaults[0].id == "big");
}

BOOST_AUTO_TEST_CASE(loopback_urls) {
    BOOST_TEST(is_loopback_url("http://127.0.0.1:8090/v1"));
    BOOST_TEST(is_loopback_url("http://localhost:1"));
    BOOST_TEST(is_loopback_url("http://[::1]:8080"));
    BOOST_TEST(!is_loopback_url("https://api.openai.com/v1"));
    BOOST_TEST(!is_loopback_url("https://127.0.0.1.evil.example/"));
    BOOST_TEST(!is_loopback_url("https://localhost.example"));
}
