#define BOOST_TEST_MODULE plugins_gcp_vertex_adc
#include <boost/test/unit_test.hpp>

// Application Default Credentials files beyond service-account keys:
// gcloud's authorized_user (refresh-token grant) and external_account
// (workload identity federation: a file- or URL-sourced subject token, the
// STS token exchange, then optional service-account impersonation), against
// a FakeHost that answers as Google's endpoints do.

#include "../plugin_test_support.hpp"

#include "plugins/aws_common/sigv4.hpp"

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

namespace {

std::string value_of(const std::vector<std::pair<std::string, std::string>> &env, const std::string &name) {
    for (const auto &[k, v] : env)
        if (k == name) return v;
    return "<unset>";
}

std::string executable_file(const Dir &dir, const std::string &extra) {
    return dir.write("exe.json", R"({"type":"external_account","audience":")" + kAudience +
        R"(","subject_token_type":"urn:ietf:params:oauth:token-type:id_token","token_url":"http://127.0.0.1:9/v1/token",
        "credential_source":{"executable":{"command":"/opt/oidc/issue --aud 'gw pool'")" + extra + R"(}},
        "service_account_impersonation_url":"http://127.0.0.1:9/v1/projects/-/serviceAccounts/gw@p.iam.gserviceaccount.com:generateAccessToken"})");
}

std::string oidc_response(const std::string &token, std::int64_t expires_s) {
    return R"({"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token","id_token":")" + token +
           R"(","expiration_time":)" + std::to_string(expires_s) + "}";
}

FetchReply google_endpoints(const FetchedRequest &f) {
    if (contains(f.url, "/v1/token")) return FetchReply{200, token_reply("ya29.federated", 3600)};
    return FetchReply{200, R"({"accessToken":"ya29.imp","expireTime":"2023-11-14T23:13:20Z"})"};
}

} // namespace

BOOST_AUTO_TEST_CASE(an_executable_source_runs_through_the_host_only_when_allowed) {
    Dir dir;
    const std::string file = executable_file(dir, R"(,"timeout_millis":7000)");
    Harness refused(R"({"project_id":"p","credentials_file":")" + file + R"("})");
    BOOST_TEST(refused.plugin() == nullptr);
    BOOST_TEST(contains(refused.create_error().message, "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"),
               refused.create_error().message);

    // The environment hands the flag over as a string.
    Harness h(R"({"project_id":"p","allow_executables":"1","credentials_file":")" + file + R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const std::int64_t now_s = h.host().now_ms / 1000;
    h.host().processor = [&](const std::string &) { return ProcessReply{0, oidc_response("eyJ.exe.sig", now_s + 3600)}; };
    h.host().responder = google_endpoints;
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.imp");
    BOOST_TEST_REQUIRE(h.host().processes.size() == 1u);
    BOOST_TEST(h.host().processes[0] == "/opt/oidc/issue --aud 'gw pool'"); // as written: the host splits it
    BOOST_TEST(h.host().process_timeouts_ms[0] == 7000u);
    const auto &env = h.host().process_envs[0];
    BOOST_TEST(value_of(env, "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE") == kAudience);
    BOOST_TEST(value_of(env, "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE") == "urn:ietf:params:oauth:token-type:id_token");
    BOOST_TEST(value_of(env, "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE") == "0");
    BOOST_TEST(value_of(env, "GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL") == "gw@p.iam.gserviceaccount.com");
    BOOST_TEST(value_of(env, "GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE") == "<unset>");
    BOOST_TEST(contains(h.host().fetched.at(0).body, "subject_token=eyJ.exe.sig"));
    BOOST_TEST(contains(h.host().fetched.at(0).body, "subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"));

    // Each refresh runs it again; its failures are AUTH errors without its output.
    const auto failing = [&](ProcessReply reply, std::string_view expected) {
        h.host().processor = [reply](const std::string &) { return reply; };
        h.host().now_ms += 2 * 3600 * 1000;
        Request r = user_request();
        const Prepared p = h.prepare(r);
        BOOST_TEST(p.status == HELIX_ERR_AUTH, expected);
        BOOST_TEST(contains(p.error.message, expected), p.error.message);
        BOOST_TEST(!contains(p.error.message, "eyJ.leak"), p.error.message);
    };
    failing(ProcessReply{3, "eyJ.leak", "cannot reach the IdP\n"}, "exited with code 3");
    BOOST_TEST(contains(h.host().logs.back(), "cannot reach the IdP"));
    failing(ProcessReply{0, R"({"version":1,"success":false,"code":"401","message":"no session"})"}, "code 401");
    failing(ProcessReply{0, R"({"version":2,"success":true,"id_token":"eyJ.leak"})"}, "version 2");
    failing(ProcessReply{0, "eyJ.leak"}, "not a JSON object");
    failing(ProcessReply{0, R"({"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt"})"}, "no \"id_token\"");
    failing(ProcessReply{0, oidc_response("eyJ.leak", 1)}, "already expired");
    h.host().processor = [](const std::string &) { return ProcessReply{0, "", "", HELIX_ERR_RETRY}; };
    h.host().now_ms += 2 * 3600 * 1000;
    Request r = user_request();
    BOOST_TEST(h.prepare(r).status == HELIX_ERR_RETRY); // timed out: transient

    Harness bad(R"({"project_id":"p","allow_executables":true,"credentials_file":")" +
                executable_file(dir, R"(,"timeout_millis":1000)") + R"("})");
    BOOST_TEST(bad.plugin() == nullptr);
    BOOST_TEST(contains(bad.create_error().message, "5000..120000"));
}

// Google's auth libraries (google-auth-library for Node, google-auth for
// Python) outside a terminal accept a file with interactive_timeout_millis
// and run the program non-interactively; so does the gateway.
BOOST_AUTO_TEST_CASE(an_interactive_executable_runs_non_interactively_as_googles_libraries_run_it) {
    Dir dir;
    const std::string file = executable_file(dir, R"(,"timeout_millis":6000,"interactive_timeout_millis":300000)");
    Harness h(R"({"project_id":"p","allow_executables":true,"credentials_file":")" + file + R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const std::int64_t now_s = h.host().now_ms / 1000;
    h.host().processor = [&](const std::string &) { return ProcessReply{0, oidc_response("eyJ.exe.sig", now_s + 3600)}; };
    h.host().responder = google_endpoints;
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.imp");
    BOOST_TEST_REQUIRE(h.host().processes.size() == 1u);
    BOOST_TEST(h.host().process_timeouts_ms[0] == 6000u); // timeout_millis, never the interactive timeout
    BOOST_TEST(value_of(h.host().process_envs[0], "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE") == "0");

    // A program that needs its user says so; the error says how to sign in again.
    h.host().processor = [](const std::string &) {
        return ProcessReply{0, R"({"version":1,"success":false,"code":"401","message":"interactive sign-in required"})"};
    };
    h.host().now_ms += 2 * 3600 * 1000;
    Request r = user_request();
    const Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "code 401"), p.error.message);
    BOOST_TEST(contains(p.error.message, "non-interactively (GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=0)"), p.error.message);
    BOOST_TEST(contains(p.error.message, "gcloud auth login --cred-file"), p.error.message);

    // A non-interactive executable's failure carries no such hint.
    Harness plain(R"({"project_id":"p","allow_executables":true,"credentials_file":")" +
                  executable_file(dir, R"(,"timeout_millis":6000)") + R"("})");
    plain.host().processor = [](const std::string &) { return ProcessReply{2, "", "down\n"}; };
    Request again = user_request();
    const Prepared q = plain.prepare(again);
    BOOST_TEST(q.status == HELIX_ERR_AUTH);
    BOOST_TEST(!contains(q.error.message, "interactive"), q.error.message);

    // The bounds Google's libraries check (5 to 30 minutes).
    Harness bad(R"({"project_id":"p","allow_executables":true,"credentials_file":")" +
                executable_file(dir, R"(,"interactive_timeout_millis":60000)") + R"("})");
    BOOST_TEST(bad.plugin() == nullptr);
    BOOST_TEST(contains(bad.create_error().message, "interactive_timeout_millis must be in 300000..1800000"),
               bad.create_error().message);
}

BOOST_AUTO_TEST_CASE(an_executable_output_file_is_used_while_it_is_valid) {
    Dir dir;
    const std::string output = (dir.path / "cached.json").string();
    Harness h(R"({"project_id":"p","allow_executables":true,"credentials_file":")" +
              executable_file(dir, R"(,"output_file":")" + output + R"(")") + R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const std::int64_t now_s = h.host().now_ms / 1000;
    h.host().responder = google_endpoints;
    // No file yet: the program runs (and is told where to write it).
    h.host().processor = [&](const std::string &) { return ProcessReply{0, oidc_response("eyJ.ran.sig", now_s + 600)}; };
    prepared(h);
    BOOST_TEST_REQUIRE(h.host().processes.size() == 1u);
    BOOST_TEST(value_of(h.host().process_envs[0], "GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE") == output);
    // A valid response in the file: used without running the program.
    dir.write("cached.json", oidc_response("eyJ.cached.sig", now_s + 3 * 3600));
    h.host().now_ms += 2 * 3600 * 1000;
    prepared(h);
    BOOST_TEST(h.host().processes.size() == 1u);
    BOOST_TEST(contains(h.host().fetched.at(2).body, "subject_token=eyJ.cached.sig"));
    // Expired there: the program runs again, and must say when its token expires.
    h.host().now_ms += 2 * 3600 * 1000;
    h.host().processor = [](const std::string &) {
        return ProcessReply{0, R"({"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token","id_token":"eyJ.x"})"};
    };
    Request r = user_request();
    const Prepared p = h.prepare(r);
    BOOST_TEST(h.host().processes.size() == 2u);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "expiration_time"), p.error.message);
}

namespace {

std::string aws_file(const Dir &dir, const std::string &source) {
    return dir.write("aws.json", R"({"type":"external_account","audience":")" + kAudience +
        R"(","subject_token_type":"urn:ietf:params:aws:token-type:aws4_request","token_url":"http://127.0.0.1:9/v1/token",
        "credential_source":{"environment_id":"aws1",)" + source + "}}");
}

constexpr std::string_view kImdsSource =
    R"("region_url":"http://169.254.169.254/latest/meta-data/placement/availability-zone",
       "url":"http://169.254.169.254/latest/meta-data/iam/security-credentials",
       "imdsv2_session_token_url":"http://169.254.169.254/latest/api/token",
       "regional_cred_verification_url":"https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15")";

// The subject token a FakeHost saw at STS, decoded as Google's STS does.
boost::json::object subject_of(const FetchedRequest &sts) {
    const std::string body = sts.body;
    const auto at = body.find("subject_token=") + 14;
    const std::string form_value = body.substr(at, body.find('&', at) - at);
    const std::string json = helix::aws::percent_decode(helix::aws::percent_decode(form_value));
    return boost::json::parse(json).as_object();
}

std::string header_in(const boost::json::object &token, std::string_view key) {
    for (const auto &h : token.at("headers").as_array())
        if (h.at("key").as_string() == key) return std::string(h.at("value").as_string());
    return "<none>";
}

} // namespace

BOOST_AUTO_TEST_CASE(an_aws_source_signs_get_caller_identity_with_the_instance_role) {
    Dir dir;
    Harness h(R"({"project_id":"p","credentials_file":")" + aws_file(dir, std::string(kImdsSource)) + R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    h.host().responder = [](const FetchedRequest &f) {
        if (!contains(f.url, "169.254.169.254")) return google_endpoints(f);
        if (f.method == "PUT") return FetchReply{200, "imds-session"};
        if (f.header("x-aws-ec2-metadata-token") != "imds-session") return FetchReply{401, ""};
        if (contains(f.url, "availability-zone")) return FetchReply{200, "eu-west-3b"};
        if (f.url.ends_with("/security-credentials")) return FetchReply{200, "gw-role\n"};
        if (f.url.ends_with("/security-credentials/gw-role"))
            return FetchReply{200, R"({"Code":"Success","AccessKeyId":"ASIAROLE","SecretAccessKey":"role-secret","Token":"role-session"})"};
        return FetchReply{404, ""};
    };
    BOOST_TEST(prepared(h).header("Authorization") == "Bearer ya29.federated");
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 5u); // IMDSv2 token, zone, role, credentials, STS
    BOOST_TEST(h.host().fetched[0].header("x-aws-ec2-metadata-token-ttl-seconds") == "300");
    const FetchedRequest &sts = h.host().fetched.back();
    BOOST_TEST(contains(sts.body, "subject_token_type=urn%3Aietf%3Aparams%3Aaws%3Atoken-type%3Aaws4_request"));
    const boost::json::object token = subject_of(sts);
    BOOST_TEST(token.at("url").as_string() == "https://sts.eu-west-3.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15");
    BOOST_TEST(token.at("method").as_string() == "POST");
    BOOST_TEST(header_in(token, "x-goog-cloud-target-resource") == kAudience);
    BOOST_TEST(header_in(token, "host") == "sts.eu-west-3.amazonaws.com");
    BOOST_TEST(header_in(token, "x-amz-security-token") == "role-session");
    BOOST_TEST(header_in(token, "x-amz-date") == "20231114T221320Z");

    // What AWS STS checks when Google's STS replays it: the signature, target resource included.
    std::vector<helix::aws::HttpHeader> headers;
    for (const auto &hv : token.at("headers").as_array())
        headers.push_back({std::string(hv.at("key").as_string()), std::string(hv.at("value").as_string())});
    helix::aws::VerifyOptions options;
    options.region = "eu-west-3";
    options.service = "sts";
    options.now = std::chrono::sys_seconds(std::chrono::seconds(h.host().now_ms / 1000));
    const auto lookup = [](std::string_view id) -> std::optional<helix::aws::VerifierSecret> {
        if (id == "ASIAROLE") return helix::aws::VerifierSecret{"role-secret", "role-session"};
        return std::nullopt;
    };
    const auto verified = helix::aws::verify({"POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", headers, ""},
                                             lookup, options);
    BOOST_TEST(verified.ok(), verified.message);
    BOOST_TEST(contains(header_in(token, "authorization"), "x-goog-cloud-target-resource"));
    for (const auto &l : h.host().logs) BOOST_TEST(!contains(l, "role-secret"));
}

BOOST_AUTO_TEST_CASE(an_aws_source_takes_region_and_keys_from_the_environment_first) {
    Dir dir;
    Harness h(R"({"project_id":"p","aws_region":"us-east-2","aws_access_key_id":"AKIAENV","aws_secret_access_key":"env-secret",
                 "credentials_file":")" + aws_file(dir, std::string(kImdsSource)) + R"("})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    h.host().responder = google_endpoints;
    prepared(h);
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u); // no metadata call at all
    const boost::json::object token = subject_of(h.host().fetched[0]);
    BOOST_TEST(token.at("url").as_string() == "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15");
    BOOST_TEST(header_in(token, "x-amz-security-token") == "<none>");
    BOOST_TEST(contains(header_in(token, "authorization"), "Credential=AKIAENV/20231114/us-east-2/sts/aws4_request"));

    // Without region and keys and without metadata URLs: a configuration error.
    Harness bare(R"({"project_id":"p","credentials_file":")" +
                 aws_file(dir, R"("regional_cred_verification_url":"https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15")") +
                 R"("})");
    BOOST_TEST(bare.plugin() == nullptr);
    BOOST_TEST(contains(bare.create_error().message, "AWS_REGION"), bare.create_error().message);
    Request r = user_request();

    // A metadata service that refuses (IMDSv1 only, say) is an AUTH error naming it.
    Harness imds(R"({"project_id":"p","credentials_file":")" + aws_file(dir, std::string(kImdsSource)) + R"("})");
    imds.host().responder = [](const FetchedRequest &f) { return FetchReply{f.method == "PUT" ? 403 : 200, ""}; };
    const Prepared refused = imds.prepare(r);
    BOOST_TEST(refused.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(refused.error.message, "instance metadata service"), refused.error.message);
}

BOOST_AUTO_TEST_CASE(unsupported_external_accounts_are_configuration_errors) {
    Dir dir;
    const auto error = [&](const std::string &body) {
        Harness h(R"({"project_id":"p","credentials_file":")" + dir.write("f.json", body) + R"("})");
        BOOST_TEST(h.plugin() == nullptr);
        return std::string(h.create_error().message);
    };
    const std::string head = R"({"type":"external_account","audience":"a","subject_token_type":"t",)";
    BOOST_TEST(contains(error(head + R"("credential_source":{"environment_id":"aws1","region_url":"http://x"}})"),
                        "regional_cred_verification_url"));
    BOOST_TEST(contains(error(head + R"("credential_source":{"environment_id":"aws2","regional_cred_verification_url":"https://x"}})"),
                        "version 2"));
    BOOST_TEST(contains(error(head + R"("credential_source":{"executable":{}}})"), "without \"command\""));
    BOOST_TEST(contains(error(head + R"("credential_source":{"executable":{"command":"x","interactive_timeout_millis":30000}}})"),
                        "interactive"));
    BOOST_TEST(contains(error(head + R"("credential_source":{}})"), "without \"file\", \"url\""));
    BOOST_TEST(contains(error(R"({"type":"external_account","credential_source":{"file":"/x"}})"), "\"audience\""));
    BOOST_TEST(contains(error(R"({"type":"impersonated_service_account"})"), "impersonated_service_account"));
}
