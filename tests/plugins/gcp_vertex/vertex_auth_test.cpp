#define BOOST_TEST_MODULE plugins_gcp_vertex_auth
#include <boost/test/unit_test.hpp>

#include "../plugin_test_support.hpp"

#include "plugins/gcp_common/service_account.hpp"

#include <filesystem>
#include <fstream>

using namespace helix::test;
namespace gcp = helix::gcp;

namespace {

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

// A service-account key file with a fresh key, in a scratch directory.
struct KeyFile {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "helix-vertex-auth-test";
    std::filesystem::path path = dir / "key.json";
    gcp::RsaKey key;
    gcp::ServiceAccountKey account;

    KeyFile() : key(generate()) {
        std::filesystem::create_directories(dir);
        account.project_id = "key-project";
        account.private_key_id = "kid-1";
        account.private_key = key.private_pem();
        account.client_email = "gateway@key-project.iam.gserviceaccount.com";
        account.client_id = "1234";
        account.token_uri = "http://127.0.0.1:9/token";
        std::ofstream(path) << gcp::service_account_key_json(account);
    }
    ~KeyFile() { std::filesystem::remove_all(dir); }

    static gcp::RsaKey generate() {
        std::string error;
        auto k = gcp::RsaKey::generate(2048, error);
        BOOST_TEST_REQUIRE(k.has_value(), error);
        return *k;
    }
    std::string config() const { return R"({"credentials_file":")" + path.string() + R"("})"; }
};

std::string token_reply(const std::string &token, int expires_in = 3599) {
    return R"({"access_token":")" + token + R"(","expires_in":)" + std::to_string(expires_in) +
           R"(,"token_type":"Bearer"})";
}

Request user_request() {
    Request r;
    r.model = "gemini-1.5-pro";
    r.messages = {Message::user("hello")};
    return r;
}

std::string bearer(Harness &h, Request &r) {
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    h.descriptor().call_free(p.call);
    return p.header("Authorization");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_fixed_access_token_is_used_as_is_and_never_fetched) {
    Harness h(R"({"project_id":"p","access_token":"ya29.given"})");
    h.host().responder = [](const FetchedRequest &) { return FetchReply{500, ""}; };
    Request r = user_request();
    BOOST_TEST(bearer(h, r) == "Bearer ya29.given");
    BOOST_TEST(h.host().fetched.empty());
    // Refused: nothing to refresh, a clear error that does not quote the token.
    const Outcome o = h.run(r, 401, json_headers(), R"({"error":{"code":401,"status":"UNAUTHENTICATED","message":"ya29.given is expired"}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(!contains(o.message, "ya29.given"));
    BOOST_TEST(bearer(h, r) == "Bearer ya29.given");
}

BOOST_AUTO_TEST_CASE(an_api_key_is_sent_as_x_goog_api_key_in_express_mode_or_on_the_project_url) {
    // Express mode: no project, the global publisher URL, nothing fetched.
    Harness express(R"({"api_key":"AQ.express-key","credentials_file":"/nonexistent/adc.json"})");
    BOOST_TEST_REQUIRE(express.plugin() != nullptr, express.create_error().message);
    express.host().responder = [](const FetchedRequest &) { return FetchReply{500, ""}; };
    Request r = user_request();
    Prepared p = express.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    express.descriptor().call_free(p.call);
    BOOST_TEST(p.url == "https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-1.5-pro:generateContent");
    BOOST_TEST(p.header("x-goog-api-key") == "AQ.express-key");
    BOOST_TEST(p.header("Authorization").empty());
    BOOST_TEST(express.host().fetched.empty());
    r.stream = true;
    p = express.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    express.descriptor().call_free(p.call);
    BOOST_TEST(p.url ==
               "https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-1.5-pro:streamGenerateContent?alt=sse");
    // A refused key is an AUTH error that does not quote it.
    r.stream = false;
    const Outcome o = express.run(r, 400, json_headers(), R"({"error":{"code":400,"message":"API key not valid. AQ.express-key","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(o.http_status == 502);
    BOOST_TEST(contains(o.message, "API_KEY_INVALID"), o.message);
    BOOST_TEST(!contains(o.message, "AQ.express-key"));

    // With a project (a key bound to a service account): the regional project URL; an endpoint overrides the host.
    Harness bound(R"({"api_key":"AQ.bound","project_id":"p","location":"europe-west4","endpoint":"http://127.0.0.1:9"})");
    BOOST_TEST_REQUIRE(bound.plugin() != nullptr, bound.create_error().message);
    p = bound.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    bound.descriptor().call_free(p.call);
    BOOST_TEST(p.url == "http://127.0.0.1:9/v1/projects/p/locations/europe-west4/publishers/google/models/"
                        "gemini-1.5-pro:generateContent");
    BOOST_TEST(p.header("x-goog-api-key") == "AQ.bound");

    Harness both(R"({"api_key":"AQ.k","access_token":"ya29.t"})");
    BOOST_TEST(both.plugin() == nullptr);
    BOOST_TEST(contains(both.create_error().message, "keep one"));
    BOOST_TEST(!contains(both.create_error().message, "AQ.k"));
    Harness none(R"({"location":"us-central1"})");
    BOOST_TEST(none.plugin() == nullptr);
    BOOST_TEST(contains(none.create_error().message, "project_id is required"));
}

BOOST_AUTO_TEST_CASE(a_service_account_signs_a_jwt_and_exchanges_it_at_its_token_uri) {
    const KeyFile file;
    Harness h(file.config());
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, token_reply("ya29.sa-" + std::to_string(issued))};
    };
    Request r = user_request();
    const Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.header("Authorization") == "Bearer ya29.sa-1");
    // The project comes from the key file when the settings name none.
    BOOST_TEST(contains(p.url, "/projects/key-project/locations/us-central1/"));
    h.descriptor().call_free(p.call);

    const FetchedRequest &f = h.host().fetched.at(0);
    BOOST_TEST(f.method == "POST");
    BOOST_TEST(f.url == "http://127.0.0.1:9/token");
    BOOST_TEST(f.header("Content-Type") == "application/x-www-form-urlencoded");
    const auto form = gcp::parse_form(f.body);
    BOOST_TEST_REQUIRE(form.has_value());
    BOOST_TEST(form->at("grant_type") == std::string(gcp::kJwtBearerGrantType));
    std::string error;
    const auto jwt = gcp::verify_jwt_rs256(form->at("assertion"), file.key, error);
    BOOST_TEST_REQUIRE(jwt.has_value(), error);
    BOOST_TEST(jwt->header.at("kid").as_string() == "kid-1");
    const auto claims = gcp::assertion_claims(jwt->claims, error);
    BOOST_TEST_REQUIRE(claims.has_value(), error);
    BOOST_TEST(claims->iss == file.account.client_email);
    BOOST_TEST(claims->aud == "http://127.0.0.1:9/token");
    BOOST_TEST(claims->scope == std::string(gcp::kCloudPlatformScope));
    BOOST_TEST(claims->iat == h.host().now_ms / 1000);
    BOOST_TEST(claims->exp == claims->iat + 3600);
    // What Google checks passes.
    const std::vector<std::string> audiences{"http://127.0.0.1:9/token"};
    BOOST_TEST(!gcp::check_assertion_claims(*claims, h.host().now_ms / 1000, audiences).has_value());
}

BOOST_AUTO_TEST_CASE(tokens_are_cached_refreshed_before_expiry_and_dropped_on_a_401) {
    const KeyFile file;
    Harness h(file.config());
    int issued = 0;
    int lifetime = 3599;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, token_reply("ya29.t" + std::to_string(issued), lifetime)};
    };
    Request r = user_request();
    BOOST_TEST(bearer(h, r) == "Bearer ya29.t1");
    BOOST_TEST(bearer(h, r) == "Bearer ya29.t1");
    BOOST_TEST(issued == 1);

    h.host().now_ms += (3599 - 4 * 60) * 1000LL; // within five minutes of expiry
    BOOST_TEST(bearer(h, r) == "Bearer ya29.t2");
    BOOST_TEST(issued == 2);

    // Google refuses it (revoked, clock skew): the call fails, the token goes.
    const Outcome o = h.run(r, 401, json_headers(), R"({"error":{"code":401,"status":"UNAUTHENTICATED","message":"Request had invalid authentication credentials."}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(bearer(h, r) == "Bearer ya29.t3");

    // A token that lives only a few seconds is renewed at half its life.
    lifetime = 10;
    h.host().now_ms += 3600 * 1000LL;
    BOOST_TEST(bearer(h, r) == "Bearer ya29.t4");
    h.host().now_ms += 4000;
    BOOST_TEST(bearer(h, r) == "Bearer ya29.t4");
    h.host().now_ms += 1000;
    BOOST_TEST(bearer(h, r) == "Bearer ya29.t5");
}

BOOST_AUTO_TEST_CASE(token_endpoint_failures_are_clear_and_retryable_when_transient) {
    const KeyFile file;
    Harness h(file.config());
    FetchReply reply{400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})"};
    h.host().responder = [&](const FetchedRequest &) { return reply; };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "refused to issue a token (HTTP 400)"));
    reply = FetchReply{503, "busy"};
    p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_RETRY);
    reply = FetchReply{200, R"({"token_type":"Bearer"})"};
    p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
}

BOOST_AUTO_TEST_CASE(the_metadata_server_is_asked_last_and_must_say_it_is_google) {
    Harness h(R"({"project_id":"p","metadata_host":"127.0.0.1:7"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    helix_error detail = make_error();
    BOOST_TEST(h.descriptor().health(h.plugin(), &detail) == HELIX_HEALTH_DEGRADED);
    bool flavoured = false;
    h.host().responder = [&](const FetchedRequest &) {
        FetchReply reply{200, token_reply("ya29.md")};
        if (flavoured) reply.headers.push_back({"Metadata-Flavor", "Google"});
        return reply;
    };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "Metadata-Flavor"));
    flavoured = true;
    BOOST_TEST(bearer(h, r) == "Bearer ya29.md");
    const FetchedRequest &f = h.host().fetched.back();
    BOOST_TEST(f.method == "GET");
    BOOST_TEST(f.url == "http://127.0.0.1:7/computeMetadata/v1/instance/service-accounts/default/token");
    BOOST_TEST(f.header("Metadata-Flavor") == "Google");
    BOOST_TEST(h.descriptor().health(h.plugin(), &detail) == HELIX_HEALTH_OK);
}

BOOST_AUTO_TEST_CASE(a_bad_key_file_is_refused_without_quoting_it) {
    const KeyFile file;
    std::ofstream(file.path) << R"({"type":"service_account","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nnot-a-key-SECRETBYTES\n-----END PRIVATE KEY-----\n"})";
    Harness h(R"({"project_id":"p","credentials_file":")" + file.path.string() + R"("})");
    BOOST_TEST(h.plugin() == nullptr);
    BOOST_TEST(contains(h.create_error().message, "private_key cannot be read"));
    BOOST_TEST(!contains(h.create_error().message, "SECRETBYTES"));
    std::ofstream(file.path) << "not json SECRETBYTES";
    Harness g(R"({"project_id":"p","credentials_file":")" + file.path.string() + R"("})");
    BOOST_TEST(g.plugin() == nullptr);
    BOOST_TEST(contains(g.create_error().message, "is not a service-account key"));
    BOOST_TEST(!contains(g.create_error().message, "SECRETBYTES"));
}
