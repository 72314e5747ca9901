#define BOOST_TEST_MODULE api_errors
#include <boost/test/unit_test.hpp>

#include "daemon/api/errors.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstring>
#include <string>

namespace api = helix::api;
namespace json = boost::json;
using api::ApiError;

namespace {

helix_error plugin_error(int http_status, const char *message, const char *code = "", const char *param = "",
                         std::uint32_t retry_after_ms = 0) {
    helix_error e{};
    e.struct_size = sizeof(helix_error);
    e.http_status = http_status;
    e.retry_after_ms = retry_after_ms;
    std::strncpy(e.message, message, sizeof e.message - 1);
    std::strncpy(e.code, code, sizeof e.code - 1);
    std::strncpy(e.param, param, sizeof e.param - 1);
    return e;
}

json::value body_of(const ApiError &e) { return json::parse(api::error_body(e)); }

} // namespace

BOOST_AUTO_TEST_CASE(factories_have_openai_status_type_and_code) {
    const ApiError bad = api::invalid_request("Bad thing.", "messages[0].role", "invalid_value");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.type == "invalid_request_error");
    BOOST_TEST(body_of(bad) == json::parse(R"({"error":{"message":"Bad thing.","type":"invalid_request_error",)"
                                           R"("param":"messages[0].role","code":"invalid_value"}})"));
    BOOST_TEST(body_of(api::invalid_request("x")).at("error").at("param").is_null());
    BOOST_TEST(body_of(api::invalid_request("x")).at("error").at("code").is_null());

    const ApiError nf = api::model_not_found("openai/nope");
    BOOST_TEST(nf.status == 404);
    BOOST_TEST(nf.code == "model_not_found");
    BOOST_TEST(nf.param == "model");
    BOOST_TEST(nf.message.find("'openai/nope'") != std::string::npos);
    BOOST_TEST(nf.message.find("GET /v1/models") != std::string::npos);

    const ApiError big = api::body_too_large(1048576);
    BOOST_TEST(big.status == 413);
    BOOST_TEST(big.code == "request_too_large");
    BOOST_TEST(big.message.find("1048576 bytes") != std::string::npos);

    const ApiError n = api::feature_not_supported("aws-bedrock/claude", "n > 1", "n");
    BOOST_TEST(n.status == 400);
    BOOST_TEST(n.param == "n");
    BOOST_TEST(n.code == "unsupported_parameter");
    BOOST_TEST(n.message.find("'aws-bedrock/claude' does not support n > 1") != std::string::npos);

    const ApiError rl = api::rate_limited("openai", 6000);
    BOOST_TEST(rl.status == 429);
    BOOST_TEST(rl.code == "rate_limit_exceeded");
    BOOST_TEST(rl.message.find("retry after 6 seconds") != std::string::npos, rl.message);
    BOOST_TEST(rl.retry_after_ms == 6000U);
    BOOST_TEST(api::rate_limited("", 1).message.find("after 1 second.") != std::string::npos);
    BOOST_TEST(api::rate_limited("", 0).message == "Rate limit reached.");

    BOOST_TEST(api::bad_gateway("x").status == 502);
    BOOST_TEST(api::service_unavailable("x").status == 503);
    BOOST_TEST(api::gateway_timeout("x").status == 504);
    BOOST_TEST(api::internal_error("x").status == 500);
    BOOST_TEST(api::internal_error("x").type == "server_error");
}

BOOST_AUTO_TEST_CASE(plugin_errors_map_to_client_statuses) {
    struct Case {
        helix_status status;
        int http;
        int expected;
        const char *type;
    };
    const Case cases[] = {
        {HELIX_ERR_INVALID_REQUEST, 0, 400, "invalid_request_error"},
        {HELIX_ERR_NOT_SUPPORTED, 0, 400, "invalid_request_error"},
        {HELIX_ERR_UPSTREAM, 400, 400, "invalid_request_error"},
        {HELIX_ERR_UPSTREAM, 404, 404, "invalid_request_error"},
        {HELIX_ERR_UPSTREAM, 429, 429, "requests"},
        {HELIX_ERR_UPSTREAM, 401, 502, "upstream_error"},
        {HELIX_ERR_UPSTREAM, 403, 502, "upstream_error"},
        {HELIX_ERR_UPSTREAM, 500, 502, "upstream_error"},
        {HELIX_ERR_UPSTREAM, 0, 502, "upstream_error"},
        {HELIX_ERR_RETRY, 429, 429, "requests"},
        {HELIX_ERR_RETRY, 503, 503, "server_error"},
        {HELIX_ERR_RETRY, 0, 503, "server_error"},
        {HELIX_ERR_RETRY, 408, 504, "timeout"},
        {HELIX_ERR_RETRY, 504, 504, "timeout"},
        {HELIX_ERR_AUTH, 401, 502, "upstream_error"},
        {HELIX_ERR_PROTOCOL, 200, 502, "upstream_error"},
        {HELIX_ERR_CONFIG, 0, 503, "server_error"},
        {HELIX_ERR_INTERNAL, 0, 500, "server_error"},
        {static_cast<helix_status>(15), 0, 500, "server_error"},
    };
    for (const Case &c : cases) {
        BOOST_TEST_CONTEXT("status " << static_cast<int>(c.status) << " http " << c.http) {
            const helix_error err = plugin_error(c.http, "details here");
            const ApiError e = api::from_plugin_error(c.status, &err, "openai");
            BOOST_TEST(e.status == c.expected);
            BOOST_TEST(e.type == c.type);
            BOOST_TEST(e.message.find("openai") != std::string::npos, e.message);
            BOOST_TEST(e.message.find("details here") != std::string::npos, e.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(plugin_error_keeps_param_and_code_of_client_errors) {
    const helix_error err = plugin_error(400, "too long", "context_length_exceeded", "messages");
    const ApiError e = api::from_plugin_error(HELIX_ERR_UPSTREAM, &err, "anthropic");
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.code == "context_length_exceeded");
    BOOST_TEST(e.param == "messages");
    const helix_error ns = plugin_error(0, "no images");
    BOOST_TEST(api::from_plugin_error(HELIX_ERR_NOT_SUPPORTED, &ns, "p").code == "unsupported_parameter");
    const helix_error rl = plugin_error(429, "slow down", "", "", 2500);
    BOOST_TEST(api::from_plugin_error(HELIX_ERR_RETRY, &rl, "p").message.find("3 seconds") != std::string::npos);
    BOOST_TEST(api::from_plugin_error(HELIX_ERR_RETRY, &rl, "p").retry_after_ms == 2500U);
    // The gateway's upstream credentials are not the client's: never a 401.
    const helix_error auth = plugin_error(401, "bad key");
    BOOST_TEST(api::from_plugin_error(HELIX_ERR_AUTH, &auth, "p").code == "upstream_auth_failed");
}

BOOST_AUTO_TEST_CASE(plugin_error_struct_is_read_defensively) {
    // No error struct at all.
    const ApiError none = api::from_plugin_error(HELIX_ERR_PROTOCOL, nullptr, "gcp-vertex");
    BOOST_TEST(none.status == 502);
    BOOST_TEST(none.message == "gcp-vertex: the provider's response could not be read");
    // Fields without a terminating NUL, and bytes that are not UTF-8.
    helix_error full{};
    full.struct_size = sizeof(helix_error);
    std::memset(full.message, 'x', sizeof full.message);
    std::memset(full.code, '\xFF', sizeof full.code);
    const ApiError e = api::from_plugin_error(HELIX_ERR_UPSTREAM, &full, "p");
    BOOST_TEST(e.message.size() == 3U + sizeof full.message);
    BOOST_TEST(e.code.find("\xEF\xBF\xBD") == 0U);
    json::parse(api::error_body(e)); // valid JSON
    // A struct_size that does not cover the strings: they are not read.
    helix_error small = plugin_error(429, "should not be read");
    small.struct_size = static_cast<std::uint32_t>(offsetof(helix_error, code));
    const ApiError s = api::from_plugin_error(HELIX_ERR_RETRY, &small, "p");
    BOOST_TEST(s.status == 429);
    BOOST_TEST(s.message.find("should not be read") == std::string::npos);
}
