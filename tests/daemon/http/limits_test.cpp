#define BOOST_TEST_MODULE limits
#include <boost/test/unit_test.hpp>

// A client key's limits and a provider's own, through a live daemon.

#include "plain_gateway.hpp"

#include <boost/json.hpp>

using namespace helix::test;

namespace {

const std::string kKey = "sk-limits-test-5f1e";

struct LimitedGateway {
    PlainTextUpstream upstream;
    TempDir dir;
    std::unique_ptr<DaemonProcess> daemon;
    std::uint16_t port = 0;
    LimitedGateway(const std::string &key_limits, const std::string &provider_limits = "") {
        const std::string config =
            "server: {listen: 127.0.0.1, port: 0}\n"
            "api_keys:\n  - name: web\n    key: " + kKey + "\n    limits: " + key_limits +
            "\nplugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) + "/libhelix_plain_text.so\n" +
            (provider_limits.empty() ? "" : "    limits: " + provider_limits + "\n") +
            "    settings:\n      base_url: http://127.0.0.1:" + std::to_string(upstream.port()) + "/complete\n";
        daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{"--config", dir.file("helixagent.yaml", config)});
        port = daemon->wait_until_listening();
    }
    HttpResult chat() const {
        return http_post(port, "/v1/chat/completions", plain_chat_body("hi"), {{"Authorization", "Bearer " + kKey}});
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_rpm_lets_its_requests_through_then_429_with_openai_s_headers) {
    LimitedGateway gateway("{rpm: 3, tpm: 100000}");
    for (int i = 0; i < 3; ++i) {
        const HttpResult ok = gateway.chat();
        BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
        BOOST_TEST(ok.headers.at("x-ratelimit-limit-requests") == "3");
        BOOST_TEST(ok.headers.at("x-ratelimit-remaining-requests") == std::to_string(2 - i));
        BOOST_TEST(ok.headers.at("x-ratelimit-limit-tokens") == "100000");
        BOOST_TEST(ok.headers.count("x-ratelimit-reset-requests") == 1u);
    }
    const HttpResult refused = gateway.chat();
    BOOST_TEST(refused.status == 429, refused.body);
    BOOST_TEST(refused.headers.at("retry-after") == "20"); // one request per 20 s
    BOOST_TEST(refused.headers.at("x-ratelimit-remaining-requests") == "0");
    const auto error = boost::json::parse(refused.body).at("error").as_object();
    BOOST_TEST(error.at("code").as_string() == "rate_limit_exceeded");
    BOOST_TEST(error.at("type").as_string() == "requests");
    BOOST_TEST(gateway.upstream.requests() == 3); // the refused one never went upstream
}

BOOST_AUTO_TEST_CASE(a_prompt_larger_than_the_tpm_is_refused_as_too_large) {
    LimitedGateway gateway("{tpm: 10}");
    const std::string body = plain_chat_body(std::string(400, 'x'));
    const HttpResult refused =
        http_post(gateway.port, "/v1/chat/completions", body, {{"Authorization", "Bearer " + kKey}});
    BOOST_TEST(refused.status == 429, refused.body);
    BOOST_TEST(boost::json::parse(refused.body).at("error").at("code").as_string() == "request_too_large");
    BOOST_TEST(gateway.upstream.requests() == 0);
}

BOOST_AUTO_TEST_CASE(a_provider_over_its_own_rpm_is_not_called) {
    LimitedGateway gateway("{max_concurrent: 10}", "{rpm: 2}");
    BOOST_TEST(gateway.chat().status == 200);
    BOOST_TEST(gateway.chat().status == 200);
    const HttpResult refused = gateway.chat();
    BOOST_TEST(refused.status == 503, refused.body);
    BOOST_TEST(refused.body.find("plugins.<name>.limits") != std::string::npos, refused.body);
    BOOST_TEST(refused.headers.count("retry-after") == 1u);
    BOOST_TEST(gateway.upstream.requests() == 2);
}
