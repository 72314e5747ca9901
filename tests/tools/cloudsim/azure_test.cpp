#define BOOST_TEST_MODULE cloudsim_azure
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/azure_auth.hpp"
#include "tools/cloudsim/azure_wire.hpp"
#include "plugins/gcp_common/jwt.hpp"
#include "plugins/gcp_common/service_account.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

using namespace helix::cloudsim;
namespace json = boost::json;

namespace {

openai::ChatRequest parse_ok(const std::string &body, bool require_model = true) {
    openai::ApiError e;
    auto req = openai::parse_chat_request(body, e, require_model);
    BOOST_TEST_REQUIRE(req.has_value(), e.message);
    return *req;
}

std::vector<json::object> drain_chunks(FrameSource &source, std::string &last_data) {
    std::vector<json::object> out;
    Frame f;
    while (source.next(f)) {
        BOOST_TEST(f.bytes.starts_with("data: "));
        BOOST_TEST(f.bytes.ends_with("\n\n"));
        last_data = f.bytes.substr(6, f.bytes.size() - 8);
        if (last_data != "[DONE]") out.push_back(json::parse(last_data).as_object());
    }
    return out;
}

azure::EntraSettings settings(std::int64_t ttl = 3600) { return {"tenant-1", "client-1", "secret-1", ttl}; }

const std::string kScope = "scope=https%3A%2F%2Fcognitiveservices.azure.com%2F.default";

} // namespace

BOOST_AUTO_TEST_CASE(api_versions) {
    BOOST_TEST((azure::check_api_version("2024-10-21") == azure::ApiVersion::ok));
    BOOST_TEST((azure::check_api_version("2025-04-01-preview") == azure::ApiVersion::ok));
    BOOST_TEST((azure::check_api_version(std::nullopt) == azure::ApiVersion::missing));
    BOOST_TEST((azure::check_api_version("2020-01-01") == azure::ApiVersion::unsupported));
    BOOST_TEST((azure::check_api_version("") == azure::ApiVersion::unsupported));
    BOOST_TEST(azure::api_versions().size() > 20U);
}

BOOST_AUTO_TEST_CASE(error_bodies) {
    BOOST_TEST(azure::error_body(azure::resource_not_found()) == R"({"error":{"code":"404","message":"Resource not found"}})");
    const auto bad_version = azure::api_version_not_supported();
    BOOST_TEST(bad_version.status == 400);
    BOOST_TEST(azure::error_body(bad_version) == R"({"error":{"code":"BadRequest","message":"API version not supported"}})");

    const auto filtered = json::parse(azure::error_body(azure::prompt_filtered())).at("error").as_object();
    BOOST_TEST(filtered.at("code").as_string() == "content_filter");
    BOOST_TEST(filtered.at("param").as_string() == "prompt");
    BOOST_TEST(filtered.at("type").is_null());
    BOOST_TEST(filtered.at("status").as_int64() == 400);
    BOOST_TEST(filtered.at("innererror").at("code").as_string() == "ResponsibleAIPolicyViolation");
    BOOST_TEST(filtered.at("innererror").at("content_filter_result").at("violence").at("filtered").as_bool());

    const auto throttled = azure::fault_error(429, "2024-10-21");
    BOOST_TEST(throttled.status == 429);
    const auto body = json::parse(azure::error_body(throttled)).at("error").as_object();
    BOOST_TEST(body.at("code").as_string() == "429"); // a string, as Azure writes it
    BOOST_TEST(std::string(body.at("message").as_string()).find("API version 2024-10-21") != std::string::npos);
    const auto server = json::parse(azure::error_body(azure::fault_error(500, "v"))).at("error").as_object();
    BOOST_TEST(server.at("type").as_string() == "server_error");
    BOOST_TEST(azure::fault_error(503, "v").status == 503);
    BOOST_TEST(azure::invalid_key().status == 401);
    BOOST_TEST(azure::deployment_not_found().code == "DeploymentNotFound");
}

BOOST_AUTO_TEST_CASE(completion_carries_filter_results) {
    const auto req = parse_ok(R"({"messages":[{"role":"user","content":"Hello azure"}]})", false);
    BOOST_TEST(req.prompt.model.empty());
    const Reply reply = generate_reply(req.prompt, 5);
    const openai::ReplyMeta meta{"chatcmpl-a", 1700000000, "gpt-4o-2024-11-20"};
    const azure::AzureDialect dialect;
    const auto body = json::parse(openai::completion_body(reply, meta, dialect)).as_object();
    BOOST_TEST(body.at("model").as_string() == "gpt-4o-2024-11-20");
    const auto &prompt_results = body.at("prompt_filter_results").as_array()[0].as_object();
    BOOST_TEST(prompt_results.at("prompt_index").as_int64() == 0);
    BOOST_TEST(prompt_results.at("content_filter_results").as_object().contains("jailbreak"));
    const auto &choice = body.at("choices").as_array()[0].as_object();
    BOOST_TEST(choice.at("content_filter_results").at("hate").at("severity").as_string() == "safe");
    BOOST_TEST(choice.at("finish_reason").as_string() == "stop");

    // OpenAI's own replies stay without them.
    const auto plain = json::parse(openai::completion_body(reply, meta)).as_object();
    BOOST_TEST(!plain.contains("prompt_filter_results"));
    BOOST_TEST(!plain.at("choices").as_array()[0].as_object().contains("content_filter_results"));
    // OpenAI itself still requires the model.
    openai::ApiError e;
    BOOST_TEST(!openai::parse_chat_request(R"({"messages":[{"role":"user","content":"x"}]})", e).has_value());
    BOOST_TEST(e.message == "you must provide a model parameter");
}

BOOST_AUTO_TEST_CASE(stream_starts_with_the_prompt_filter_chunk) {
    const auto req = parse_ok(R"({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},
        "messages":[{"role":"user","content":"Hello azure"}]})");
    const Reply reply = generate_reply(req.prompt, 4);
    const openai::ReplyMeta meta{"chatcmpl-b", 1700000000, "gpt-4o-2024-11-20"};
    const azure::AzureDialect dialect;
    openai::ChunkStream chunks(reply, meta, true, dialect);
    BOOST_TEST(chunks.token_frames() == 4U);
    std::string last;
    const auto events = drain_chunks(chunks, last);
    BOOST_TEST(last == "[DONE]");
    // prelude, role, 4 tokens, finish, usage
    BOOST_REQUIRE(events.size() == 8U);
    const auto &first = events[0];
    BOOST_TEST(first.at("choices").as_array().empty());
    BOOST_TEST(first.at("id").as_string() == "");
    BOOST_TEST(first.at("object").as_string() == "");
    BOOST_TEST(first.at("created").as_int64() == 0);
    BOOST_TEST(first.at("model").as_string() == "");
    BOOST_TEST(first.at("prompt_filter_results").as_array().size() == 1U);

    const auto choice = [&](std::size_t i) { return events[i].at("choices").as_array()[0].as_object(); };
    BOOST_TEST(choice(1).at("content_filter_results").as_object().empty()); // role chunk
    std::string text;
    for (std::size_t i = 2; i < 6; ++i) {
        BOOST_TEST(choice(i).at("content_filter_results").as_object().contains("violence"));
        text += choice(i).at("delta").at("content").as_string();
    }
    BOOST_TEST(text == reply.text());
    BOOST_TEST(choice(6).at("finish_reason").as_string() == "stop");
    BOOST_TEST(choice(6).at("content_filter_results").as_object().empty());
    BOOST_TEST(events[7].at("choices").as_array().empty());
    BOOST_TEST(events[7].at("usage").at("completion_tokens").as_int64() == 4);
}

BOOST_AUTO_TEST_CASE(output_filter_cuts_the_reply) {
    const auto req = parse_ok(R"({"model":"m","messages":[{"role":"user","content":"a b c d e"}]})");
    Reply reply = generate_reply(req.prompt, 10);
    const azure::AzureDialect dialect(true);
    dialect.adjust(reply);
    BOOST_TEST(reply.pieces.size() == 2U);
    BOOST_TEST(reply.completion_tokens == 2U);
    const auto body = json::parse(openai::completion_body(reply, {"c", 1, "m"}, dialect)).as_object();
    const auto &choice = body.at("choices").as_array()[0].as_object();
    BOOST_TEST(choice.at("finish_reason").as_string() == "content_filter");
    BOOST_TEST(choice.at("content_filter_results").at("violence").at("filtered").as_bool());
}

BOOST_AUTO_TEST_CASE(deployment_models) {
    BOOST_TEST(azure::model_for_deployment("gpt-4o") == "gpt-4o-2024-11-20");
    BOOST_TEST(azure::model_for_deployment("gpt-4o-mini") == "gpt-4o-mini-2024-07-18");
    BOOST_TEST(azure::model_for_deployment("my-deployment") == "my-deployment");
}

BOOST_AUTO_TEST_CASE(entra_tokens) {
    const azure::EntraTokens entra(settings(60), "k");
    const std::int64_t now = 1'750'000'000;
    const std::string token = entra.issue(azure::kCognitiveServices, "client-1", now);
    BOOST_TEST(token.starts_with("eyJ"));
    BOOST_TEST((entra.check(token, now + 59) == azure::EntraTokens::Check::ok));
    BOOST_TEST((entra.check(token, now + 60) == azure::EntraTokens::Check::expired));
    BOOST_TEST((entra.check(entra.issue("https://cognitiveservices.azure.com/", "c", now), now) ==
                azure::EntraTokens::Check::ok));
    BOOST_TEST((entra.check(entra.issue("https://management.azure.com", "c", now), now) ==
                azure::EntraTokens::Check::wrong_audience));
    BOOST_TEST((entra.check("garbage", now) == azure::EntraTokens::Check::invalid));
    BOOST_TEST((azure::EntraTokens(settings(60), "other").check(token, now) == azure::EntraTokens::Check::invalid));
}

BOOST_AUTO_TEST_CASE(client_credentials_endpoint) {
    const azure::EntraTokens entra(settings(), "k");
    const std::int64_t now = 1'750'000'000;
    const auto ok = entra.client_credentials(
        "tenant-1", "grant_type=client_credentials&client_id=client-1&client_secret=secret-1&" + kScope, now);
    BOOST_TEST(ok.status == 200);
    const auto body = json::parse(ok.body).as_object();
    BOOST_TEST(body.at("token_type").as_string() == "Bearer");
    BOOST_TEST(body.at("expires_in").as_int64() == 3600);
    BOOST_TEST(body.at("ext_expires_in").as_int64() == 3600);
    BOOST_TEST((entra.check(body.at("access_token").as_string(), now) == azure::EntraTokens::Check::ok));

    const auto error_of = [&](std::string_view tenant, const std::string &form, int status) {
        const auto reply = entra.client_credentials(tenant, form, now);
        BOOST_TEST(reply.status == status);
        const auto err = json::parse(reply.body).as_object();
        BOOST_TEST(std::string(err.at("error_description").as_string()).starts_with("AADSTS"));
        BOOST_TEST(err.contains("trace_id"));
        return std::string(err.at("error").as_string());
    };
    BOOST_TEST(error_of("other", "grant_type=client_credentials", 400) == "invalid_request");
    BOOST_TEST(error_of("tenant-1", "client_id=client-1", 400) == "invalid_request");
    BOOST_TEST(error_of("tenant-1", "grant_type=password", 400) == "unsupported_grant_type");
    BOOST_TEST(error_of("tenant-1", "grant_type=client_credentials&client_id=nope&client_secret=secret-1&" + kScope, 400) ==
               "unauthorized_client");
    BOOST_TEST(error_of("tenant-1", "grant_type=client_credentials&client_id=client-1&" + kScope, 401) ==
               "invalid_client");
    BOOST_TEST(error_of("tenant-1", "grant_type=client_credentials&client_id=client-1&client_secret=bad&" + kScope, 401) ==
               "invalid_client");
    BOOST_TEST(error_of("tenant-1",
                        "grant_type=client_credentials&client_id=client-1&client_secret=secret-1&scope=https%3A%2F%2Fcognitiveservices.azure.com",
                        400) == "invalid_scope");
}

BOOST_AUTO_TEST_CASE(managed_identity_endpoint) {
    const azure::EntraTokens entra(settings(120), "k");
    const std::int64_t now = 1'750'000'000;
    const std::string query = "api-version=2018-02-01&resource=https%3A%2F%2Fcognitiveservices.azure.com";
    const auto ok = entra.managed_identity(query, true, now);
    BOOST_TEST(ok.status == 200);
    const auto body = json::parse(ok.body).as_object();
    BOOST_TEST(body.at("expires_in").as_string() == "120"); // numbers as strings
    BOOST_TEST(body.at("expires_on").as_string() == std::to_string(now + 120));
    BOOST_TEST(body.at("resource").as_string() == "https://cognitiveservices.azure.com");
    BOOST_TEST(body.at("client_id").as_string() == "client-1");
    BOOST_TEST((entra.check(body.at("access_token").as_string(), now) == azure::EntraTokens::Check::ok));

    const auto description = [&](std::string_view q, bool header) {
        const auto reply = entra.managed_identity(q, header, now);
        BOOST_TEST(reply.status == 400);
        return std::string(json::parse(reply.body).at("error_description").as_string());
    };
    BOOST_TEST(description(query, false) == "Required metadata header not specified");
    BOOST_TEST(description("resource=x", true) == "Required query variable 'api-version' is missing");
    BOOST_TEST(description("api-version=2018-02-01", true) == "Required query variable 'resource' is missing");
    BOOST_TEST(description(query + "&client_id=someone-else", true) == "Identity not found");
    BOOST_TEST(entra.managed_identity(query + "&client_id=client-1", true, now).status == 200);
}

// Workload identity: the client assertion must match the app's federated
// identity credential (issuer, subject, audience) and be unexpired.
BOOST_AUTO_TEST_CASE(client_assertion_grant) {
    const azure::EntraTokens entra(settings(), "k");
    const std::int64_t now = 1'750'000'000;
    const auto assertion = [&](const std::string &iss, const std::string &sub, json::value aud, std::int64_t exp) {
        const json::object claims{{"iss", iss}, {"sub", sub}, {"aud", aud}, {"exp", exp}, {"iat", now}};
        return helix::gcp::base64url_encode(R"({"alg":"RS256"})") + "." +
               helix::gcp::base64url_encode(json::serialize(claims)) + ".c2ln";
    };
    const std::string iss = settings().federated_issuer, sub = settings().federated_subject;
    const auto form = [&](const std::string &a, std::string_view type = azure::kJwtBearerAssertion) {
        return "grant_type=client_credentials&client_id=client-1&client_assertion_type=" + helix::gcp::form_encode(type) +
               "&client_assertion=" + a + "&" + kScope;
    };
    const auto code_of = [&](const std::string &body) {
        const auto reply = entra.client_credentials("tenant-1", body, now);
        if (reply.status == 200) return std::string("ok");
        return std::string(json::parse(reply.body).at("error_description").as_string()).substr(0, 14);
    };
    BOOST_TEST(code_of(form(assertion(iss, sub, json::array{"api://AzureADTokenExchange"}, now + 600))) == "ok");
    BOOST_TEST(code_of(form(assertion(iss, sub, "api://AzureADTokenExchange", now + 600))) == "ok");
    BOOST_TEST(code_of(form(assertion(iss, "system:serviceaccount:x:y", "api://AzureADTokenExchange", now + 600))) ==
               "AADSTS70021: N");
    BOOST_TEST(code_of(form(assertion("https://evil", sub, "api://AzureADTokenExchange", now + 600))) == "AADSTS700211: ");
    BOOST_TEST(code_of(form(assertion(iss, sub, "api://other", now + 600))) == "AADSTS700212: ");
    BOOST_TEST(code_of(form(assertion(iss, sub, "api://AzureADTokenExchange", now - 1))) == "AADSTS700024: ");
    BOOST_TEST(code_of(form("not-a-jwt")) == "AADSTS50027: J");
    BOOST_TEST(code_of(form(assertion(iss, sub, "api://AzureADTokenExchange", now + 600), "other")) == "AADSTS700011: ");
}

BOOST_AUTO_TEST_CASE(openid_configuration_names_the_tenants_endpoints) {
    const azure::EntraTokens entra(settings());
    const auto reply = entra.openid_configuration("tenant-1", "127.0.0.1:8443", 1'700'000'000);
    BOOST_TEST_REQUIRE(reply.status == 200, reply.body);
    const json::value doc = json::parse(reply.body);
    // What MSAL checks before it trusts the metadata.
    BOOST_TEST(doc.at("token_endpoint").as_string() == "https://127.0.0.1:8443/tenant-1/oauth2/v2.0/token");
    BOOST_TEST(doc.at("authorization_endpoint").as_string() == "https://127.0.0.1:8443/tenant-1/oauth2/v2.0/authorize");
    BOOST_TEST(doc.at("jwks_uri").as_string() == "https://127.0.0.1:8443/tenant-1/discovery/v2.0/keys");
    BOOST_TEST(doc.at("issuer").as_string() == "https://login.microsoftonline.com/tenant-1/v2.0");
    const auto other = entra.openid_configuration("tenant-2", "127.0.0.1:8443", 1'700'000'000);
    BOOST_TEST(other.status == 400);
    BOOST_TEST(json::parse(other.body).at("error_description").as_string().starts_with("AADSTS90002: Tenant 'tenant-2'"));
}
