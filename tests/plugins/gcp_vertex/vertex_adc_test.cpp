#define BOOST_TEST_MODULE plugins_gcp_vertex_adc
#include <boost/test/unit_test.hpp>

// Application Default Credentials files beyond service-account keys:
// gcloud's authorized_user (refresh-token grant) and external_account
// (workload identity federation: a file- or URL-sourced subject token, the
// STS token exchange, then optional service-account impersonation), against
// a FakeHost that answers as Google's endpoints do.

#include "../plugin_test_support.hpp"

#include <filesystem>
#include <fstream>

using namespace helix::test;

namespace {

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("helix-vertex-adc-" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() { std::filesystem::remove_all(path); }
    std::string write(const std::string &name, const std::string &text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

std::string token_reply(const std::string &token, int expires_in = 3599) {
    return R"({"access_token":")" + token + R"(","expires_in":)" + std::to_string(expires_in) + R"(,"token_type":"Bearer"})";
}

Request user_request() {
    Request r;
    r.model = "gemini-1.5-pro";
    r.messages = {Message::user("hello")};
    return r;
}

Prepared prepared(Harness &h) {
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    h.descriptor().call_free(p.call);
    return p;
}

const std::string kAudience =
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gw-pool/providers/k8s";

} // namespace

BOOST_AUTO_TEST_CASE(authorized_user_refreshes_with_its_refresh_token) {
    Dir dir;
    const std::string file = dir.write("adc.json", R"({"account":"","client_id":"cid.apps.googleusercontent.com",
        "client_secret":"d-secret","quota_project_id":"billing-proj","refresh_token":"1//refresh-xyz",
        "type":"authorized_user","universe_domain":"googleapis.com"})");
    Harness h(R"({"project_id":"p","credentials_file":")" + file + R"(","token_uri":"http://127.0.0.1:9/token"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) { return FetchReply{200, token_reply("ya29.user" + std::to_string(++issued))}; };
    const Prepared p = prepared(h);
    BOOST_TEST(p.header("Authorization") == "Bearer ya29.user1");
    BOOST_TEST(p.header("x-goog-user-project") == "billing-proj");
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u);
    const FetchedRequest &f = h.host().fetched[0];
    BOOST_TEST(f.url == "http://127.0.0.1:9/token");
    BOOST_TEST(f.body == "grant_type=refresh_token&client_id=cid.apps.googleusercontent.com&client_secret=d-secret"
                         "&refresh_token=1%2F%2Frefresh-xyz");
    // Refreshed five minutes before expiry; dropped after a 401.
    h.host().now_ms += 3599 * 1000 - 4 * 60 * 1000;
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.user2");
    Request r = user_request();
    const Outcome o = h.run(r, 401, json_headers(), R"({"error":{"code":401,"status":"UNAUTHENTICATED","message":"Request had invalid authentication credentials."}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.user3");
    for (const auto &l : h.host().logs) BOOST_TEST(!contains(l, "refresh-xyz"));

    // A revoked refresh token: AUTH naming OAuth's code, not the token.
    h.host().responder = [](const FetchedRequest &) {
        return FetchReply{400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})"};
    };
    h.host().now_ms += 4 * 3600 * 1000;
    const Prepared failed = h.prepare(r);
    BOOST_TEST(failed.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(failed.error.message, "invalid_grant"), failed.error.message);
    BOOST_TEST(!contains(failed.error.message, "refresh-xyz"));

    Harness missing(R"({"project_id":"p","credentials_file":")" +
                    dir.write("bad.json", R"({"type":"authorized_user","client_id":"c"})") + R"("})");
    BOOST_TEST(missing.plugin() == nullptr);
    BOOST_TEST(contains(missing.create_error().message, "client_secret"));
}

BOOST_AUTO_TEST_CASE(external_account_with_a_file_token_exchanges_it_at_sts) {
    Dir dir;
    const std::string token_file = dir.write("oidc", "eyJ.first.sig\n");
    const std::string file = dir.write("wif.json", R"({"type":"external_account","audience":")" + kAudience +
        R"(","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"http://127.0.0.1:9/v1/token",
        "credential_source":{"file":")" + token_file + R"("}})");
    Harness h(R"({"project_id":"p","credentials_file":")" + file + R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) { return FetchReply{200, token_reply("ya29.fed" + std::to_string(++issued))}; };
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.fed1");
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u);
    BOOST_TEST(h.host().fetched[0].url == "http://127.0.0.1:9/v1/token");
    BOOST_TEST(h.host().fetched[0].body ==
               "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&audience=%2F%2Fiam.googleapis.com"
               "%2Fprojects%2F123%2Flocations%2Fglobal%2FworkloadIdentityPools%2Fgw-pool%2Fproviders%2Fk8s&scope=https"
               "%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3A"
               "token-type%3Aaccess_token&subject_token=eyJ.first.sig&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3A"
               "token-type%3Ajwt");
    // The token file rotates: read again at the refresh after a 401.
    dir.write("oidc", "eyJ.second.sig");
    Request r = user_request();
    h.run(r, 401, json_headers(), R"({"error":{"code":401,"status":"UNAUTHENTICATED","message":"expired"}})");
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.fed2");
    BOOST_TEST(contains(h.host().fetched.at(1).body, "subject_token=eyJ.second.sig"));

    h.host().responder = [](const FetchedRequest &) {
        return FetchReply{400, R"({"error":"invalid_grant","error_description":"The subject token eyJ.second.sig is not valid"})"};
    };
    h.host().now_ms += 2 * 3600 * 1000;
    const Prepared failed = h.prepare(r);
    BOOST_TEST(failed.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(failed.error.message, "Google STS"), failed.error.message);
    BOOST_TEST(!contains(failed.error.message, "eyJ.second"), failed.error.message);
}

BOOST_AUTO_TEST_CASE(external_account_from_a_url_impersonates_a_service_account) {
    Dir dir;
    const std::string file = dir.write("wif.json", R"({"type":"external_account","audience":")" + kAudience +
        R"(","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"http://127.0.0.1:9/v1/token",
        "credential_source":{"url":"http://127.0.0.1:9/oidc","headers":{"Metadata":"True"},
          "format":{"type":"json","subject_token_field_name":"id_token"}},
        "service_account_impersonation_url":"http://127.0.0.1:9/v1/projects/-/serviceAccounts/gw@p.iam.gserviceaccount.com:generateAccessToken",
        "service_account_impersonation":{"token_lifetime_seconds":1800}})");
    Harness h(R"({"project_id":"p","credentials_file":")" + file + R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    h.host().responder = [&](const FetchedRequest &f) {
        if (contains(f.url, "/oidc")) return FetchReply{200, R"({"id_token":"eyJ.url.sig"})"};
        if (contains(f.url, "/v1/token")) return FetchReply{200, token_reply("ya29.federated")};
        return FetchReply{200, R"({"accessToken":"ya29.impersonated","expireTime":"2023-11-14T22:43:20Z"})"};
    };
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.impersonated");
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 3u);
    BOOST_TEST(h.host().fetched[0].header("Metadata") == "True");
    BOOST_TEST(contains(h.host().fetched[1].body, "subject_token=eyJ.url.sig"));
    const FetchedRequest &imp = h.host().fetched[2];
    BOOST_TEST(imp.header("Authorization") == "Bearer ya29.federated");
    BOOST_TEST(imp.body == R"({"scope":["https://www.googleapis.com/auth/cloud-platform"],"lifetime":"1800s"})");
    // expireTime is half an hour away: refreshed 5 minutes before it.
    h.host().now_ms += 24 * 60 * 1000;
    prepared(h);
    BOOST_TEST(h.host().fetched.size() == 3u);
    h.host().now_ms += 2 * 60 * 1000;
    prepared(h);
    BOOST_TEST(h.host().fetched.size() == 6u);

    h.host().responder = [&](const FetchedRequest &f) {
        if (contains(f.url, "/oidc")) return FetchReply{200, R"({"id_token":"eyJ.url.sig"})"};
        if (contains(f.url, "/v1/token")) return FetchReply{200, token_reply("ya29.federated")};
        return FetchReply{403, R"({"error":{"code":403,"status":"PERMISSION_DENIED","message":"denied"}})"};
    };
    h.host().now_ms += 3600 * 1000;
    Request r = user_request();
    const Prepared denied = h.prepare(r);
    BOOST_TEST(denied.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(denied.error.message, "PERMISSION_DENIED"), denied.error.message);
}

BOOST_AUTO_TEST_CASE(unsupported_external_accounts_are_configuration_errors) {
    Dir dir;
    const auto error = [&](const std::string &body) {
        Harness h(R"({"project_id":"p","credentials_file":")" + dir.write("f.json", body) + R"("})");
        BOOST_TEST(h.plugin() == nullptr);
        return std::string(h.create_error().message);
    };
    const std::string head = R"({"type":"external_account","audience":"a","subject_token_type":"t",)";
    BOOST_TEST(contains(error(head + R"("credential_source":{"environment_id":"aws1","region_url":"x"}})"), "AWS"));
    BOOST_TEST(contains(error(head + R"("credential_source":{"executable":{"command":"/bin/x"}}})"), "never runs processes"));
    BOOST_TEST(contains(error(head + R"("credential_source":{}})"), "without \"file\" or \"url\""));
    BOOST_TEST(contains(error(R"({"type":"external_account","credential_source":{"file":"/x"}})"), "\"audience\""));
    BOOST_TEST(contains(error(R"({"type":"impersonated_service_account"})"), "impersonated_service_account"));
}
