#define BOOST_TEST_MODULE plugins_aws_bedrock_credentials
#include <boost/test/unit_test.hpp>

#include "bedrock_test_support.hpp"

#include "plugins/aws_bedrock/credential_chain.hpp"

#include <condition_variable>
#include <future>
#include <mutex>

using namespace helix::test;
using namespace helix::test::bedrock;

namespace {

constexpr std::int64_t kHour = 3600 * 1000;
const std::string kExpiry = "2023-11-14T23:13:20Z"; // FakeHost.now_ms + 1 h

std::string sts_reply(const std::string &id, const std::string &secret, const std::string &token,
                      const std::string &expiration = kExpiry) {
    return R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:app</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/bedrock/app</Arn><AssumedRoleId>AROA:app</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>)" + token + R"(</SessionToken>
      <SecretAccessKey>)" + secret + R"(</SecretAccessKey>
      <Expiration>)" + expiration + R"(</Expiration>
      <AccessKeyId>)" + id + R"(</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.amazonaws.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>)";
}

std::string json_credentials(const std::string &id, const std::string &secret, const std::string &token,
                             const std::string &expiration = kExpiry) {
    return R"({"Code":"Success","LastUpdated":"2023-11-14T22:00:00Z","Type":"AWS-HMAC","AccessKeyId":")" + id +
           R"(","SecretAccessKey":")" + secret + R"(","Token":")" + token + R"(","Expiration":")" + expiration + R"("})";
}

Request user_request() {
    Request r;
    r.model = "anthropic.claude-3-sonnet";
    r.messages = {Message::user("Hello")};
    return r;
}

// prepare()s, checks the signature with the expected credentials, frees the call.
void expect_signed_with(Harness &h, const std::string &id, const std::string &secret, const std::string &token) {
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.header("authorization").find("Credential=" + id + "/") != std::string::npos);
    BOOST_TEST(p.header("x-amz-security-token") == token);
    const auto v = verify_prepared(p, id, secret, token, h.host().now_ms);
    BOOST_TEST(v.ok(), v.message);
    h.descriptor().call_free(p.call);
}

Prepared prepare_failing(Harness &h) {
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST(p.status != HELIX_OK);
    BOOST_TEST(p.call == nullptr);
    return p;
}

helix_health health(Harness &h, std::string *detail = nullptr) {
    helix_error e = make_error();
    const auto result = static_cast<helix_health>(h.descriptor().health(h.plugin(), &e));
    if (detail != nullptr) *detail = e.message;
    return result;
}

bool logs_contain(Harness &h, const std::string &secret) {
    for (const auto &l : h.host().logs)
        if (contains(l, secret)) return true;
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_settings_keys_come_first_then_the_standard_ones) {
    Harness h(R"({"access_key_id":"AKIDSETTINGS","secret_access_key":"settings-secret",
                  "aws_access_key_id":"AKIDENV","aws_secret_access_key":"env-secret","aws_profile":"nowhere",
                  "web_identity_token_file":"/nonexistent","role_arn":"arn:aws:iam::1:role/r"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    BOOST_TEST(health(h) == HELIX_HEALTH_OK);
    expect_signed_with(h, "AKIDSETTINGS", "settings-secret", "");
    BOOST_TEST(h.host().fetched.empty());

    Harness env(R"({"aws_access_key_id":"AKIDENV","aws_secret_access_key":"env-secret","aws_session_token":"env-token"})");
    expect_signed_with(env, "AKIDENV", "env-secret", "env-token");
    BOOST_TEST(!logs_contain(env, "env-secret"));
    BOOST_TEST(!logs_contain(env, "env-token"));

    // Half of the environment's pair is skipped (with a warning), as the SDKs skip the link.
    Harness half(R"({"aws_access_key_id":"AKIDSTRAY","access_key_id":"AKIDSETTINGS","secret_access_key":"settings-secret"})");
    BOOST_TEST_REQUIRE(half.plugin() != nullptr, half.create_error().message);
    BOOST_TEST(logs_contain(half, "settings.aws_secret_access_key is missing"));
    expect_signed_with(half, "AKIDSETTINGS", "settings-secret", "");
}

BOOST_AUTO_TEST_CASE(profiles_come_from_the_credentials_file_then_the_config_file) {
    TempDir dir;
    const std::string credentials = dir.write("credentials", "# shared credentials\n"
                                                             "[default]\n"
                                                             "aws_access_key_id = AKIDDEFAULT\n"
                                                             "aws_secret_access_key = default-secret\n"
                                                             "[work]\n"
                                                             "aws_access_key_id=AKIDWORK\n"
                                                             "aws_secret_access_key=work-secret ; comment\n"
                                                             "aws_session_token = work-token\n");
    const std::string config = dir.write("config", "[default]\nregion = eu-west-1\n"
                                                   "[profile work]\nregion = us-west-2\naws_session_token = from-config\n"
                                                   "[profile cfgonly]\naws_access_key_id = AKIDCFG\n"
                                                   "aws_secret_access_key = cfg-secret\n"
                                                   "[profile regiononly]\nregion = us-east-2\n"
                                                   "[profile chained]\nrole_arn = arn:aws:iam::1:role/r\n"
                                                   "source_profile = nowhere\n"
                                                   "[profile process]\ncredential_process = /usr/bin/creds\n"
                                                   "[profile sso]\nsso_session = corp\n");
    const std::string files = R"("credentials_file":)" + quoted(credentials) + R"(,"config_file":)" + quoted(config);

    Harness def("{" + files + "}");
    BOOST_TEST_REQUIRE(def.plugin() != nullptr, def.create_error().message);
    BOOST_TEST(health(def) == HELIX_HEALTH_OK); // read at creation
    expect_signed_with(def, "AKIDDEFAULT", "default-secret", "");

    Harness work("{" + files + R"(,"aws_profile":"work"})");
    expect_signed_with(work, "AKIDWORK", "work-secret", "work-token"); // the credentials file wins key by key
    Harness explicit_wins("{" + files + R"(,"profile":"cfgonly","aws_profile":"work"})");
    expect_signed_with(explicit_wins, "AKIDCFG", "cfg-secret", "");

    const auto create_error = [&](const std::string &extra) {
        Harness h("{" + files + "," + extra + "}");
        BOOST_TEST(h.plugin() == nullptr);
        return std::string(h.create_error().message);
    };
    BOOST_TEST(contains(create_error(R"("profile":"missing")"), "the AWS profile 'missing'"));
    BOOST_TEST(contains(create_error(R"("profile":"chained")"), "names source_profile 'nowhere'"));
    Harness process("{" + files + R"(,"profile":"process"})"); // run by the host at the first call
    BOOST_TEST(process.plugin() != nullptr, process.create_error().message);
    BOOST_TEST(contains(create_error(R"("profile":"sso")"), "sso_session 'corp'"));
    BOOST_TEST(contains(create_error(R"("profile":"regiononly")"), "has no credentials"));
    const std::string secret_free = create_error(R"("profile":"chained")");
    BOOST_TEST(!contains(secret_free, "default-secret"));

    // A default profile without keys is skipped: the chain goes on.
    TempDir bare;
    const std::string only_region = bare.write("config", "[default]\nregion = eu-west-1\n");
    Harness skipped(R"({"config_file":)" + quoted(only_region) + R"(,"credentials_file":"/nonexistent/credentials",
                        "imds_disabled":"true"})");
    BOOST_TEST(skipped.plugin() == nullptr);
    BOOST_TEST(contains(skipped.create_error().message, "no AWS credentials found"));
}

BOOST_AUTO_TEST_CASE(the_default_paths_are_under_home) {
    TempDir dir;
    dir.write(".aws/credentials", "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = home-secret\n");
    Harness h(R"({"home":)" + quoted(dir.path.string()) + "}");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    expect_signed_with(h, "AKIDHOME", "home-secret", "");
    Harness tilde(R"({"home":)" + quoted(dir.path.string() + "/") + R"(,"credentials_file":"~/.aws/credentials"})");
    expect_signed_with(tilde, "AKIDHOME", "home-secret", "");
}

BOOST_AUTO_TEST_CASE(web_identity_assumes_the_role_through_sts_and_refreshes_before_expiry) {
    TempDir dir;
    const std::string token_file = dir.write("token", "eyJhbGciOiJSUzI1NiJ9.first.sig\n");
    Harness h(R"({"web_identity_token_file":)" + quoted(token_file) +
              R"(,"role_arn":"arn:aws:iam::123456789012:role/bedrock","role_session_name":"app session",
                  "sts_endpoint":"http://127.0.0.1:7001"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    std::string detail;
    BOOST_TEST(health(h, &detail) == HELIX_HEALTH_DEGRADED);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, sts_reply("ASIAWEB" + std::to_string(issued), "web-secret&amp;" + std::to_string(issued),
                                         "web-token-" + std::to_string(issued),
                                         issued == 1 ? kExpiry : "2023-11-15T01:13:20.000Z")};
    };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    const auto v = verify_prepared(p, "ASIAWEB1", "web-secret&1", "web-token-1", h.host().now_ms);
    BOOST_TEST(v.ok(), v.message);
    h.descriptor().call_free(p.call);
    BOOST_TEST(health(h) == HELIX_HEALTH_OK);

    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u);
    const FetchedRequest &f = h.host().fetched[0];
    BOOST_TEST(f.method == "POST");
    BOOST_TEST(f.url == "http://127.0.0.1:7001/");
    BOOST_TEST(f.header("Content-Type") == "application/x-www-form-urlencoded");
    BOOST_TEST(f.body == "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn="
                         "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fbedrock&RoleSessionName=app%20session"
                         "&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.first.sig");

    // Cached while more than five minutes remain.
    h.host().now_ms += kHour - 6 * 60 * 1000;
    expect_signed_with(h, "ASIAWEB1", "web-secret&1", "web-token-1");
    BOOST_TEST(issued == 1);
    // Within five minutes of expiry: the (rotated) token file is read again.
    dir.write("token", "eyJhbGciOiJSUzI1NiJ9.second.sig");
    h.host().now_ms += 2 * 60 * 1000;
    expect_signed_with(h, "ASIAWEB2", "web-secret&2", "web-token-2");
    BOOST_TEST(issued == 2);
    BOOST_TEST(contains(h.host().fetched[1].body, "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.second.sig"));
    BOOST_TEST(!logs_contain(h, "web-token-"));
    BOOST_TEST(!logs_contain(h, "web-secret"));
}

BOOST_AUTO_TEST_CASE(web_identity_from_a_profile_and_sts_failures) {
    TempDir dir;
    const std::string token_file = dir.write("token", "jwt-token-value");
    const std::string config = dir.write("config", "[profile eks]\nrole_arn = arn:aws:iam::1:role/r\n"
                                                   "web_identity_token_file = " + token_file + "\n");
    Harness h(R"({"config_file":)" + quoted(config) + R"(,"profile":"eks","sts_endpoint":"http://127.0.0.1:7001"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    h.host().responder = [&](const FetchedRequest &) {
        return FetchReply{400, R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>)"
                               R"(<Code>InvalidIdentityToken</Code><Message>Token jwt-token-value is expired</Message></Error>)"
                               R"(<RequestId>x</RequestId></ErrorResponse>)"};
    };
    Prepared p = prepare_failing(h);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "InvalidIdentityToken"), p.error.message);
    BOOST_TEST(!contains(p.error.message, "jwt-token-value"), p.error.message);
    std::string detail;
    BOOST_TEST(health(h, &detail) == HELIX_HEALTH_FAILING);
    BOOST_TEST(contains(detail, "InvalidIdentityToken"));

    // Five seconds later the chain is tried again.
    h.host().now_ms += 6000;
    h.host().responder = [&](const FetchedRequest &) { return FetchReply{200, sts_reply("ASIAEKS", "eks-secret", "eks-token")}; };
    expect_signed_with(h, "ASIAEKS", "eks-secret", "eks-token");

    Harness throttled(R"({"config_file":)" + quoted(config) + R"(,"profile":"eks","sts_endpoint":"http://127.0.0.1:7001"})");
    throttled.host().responder = [&](const FetchedRequest &) {
        return FetchReply{503, "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>"};
    };
    BOOST_TEST(prepare_failing(throttled).status == HELIX_ERR_RETRY);
    Harness incomplete(R"({"config_file":)" + quoted(config) + R"(,"profile":"eks","sts_endpoint":"http://127.0.0.1:7001"})");
    incomplete.host().responder = [&](const FetchedRequest &) {
        return FetchReply{200, "<Credentials><AccessKeyId>A</AccessKeyId></Credentials>"};
    };
    BOOST_TEST(prepare_failing(incomplete).status == HELIX_ERR_AUTH);
}

BOOST_AUTO_TEST_CASE(container_credentials_with_relative_or_full_uri) {
    Harness h(R"({"container_credentials_relative_uri":"/v2/credentials/5f4e","ecs_endpoint":"http://127.0.0.1:7002",
                  "container_authorization_token":"ecs-auth-token"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    h.host().responder = [&](const FetchedRequest &) {
        return FetchReply{200, json_credentials("ASIAECS", "ecs-secret", "ecs-token")};
    };
    expect_signed_with(h, "ASIAECS", "ecs-secret", "ecs-token");
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u);
    BOOST_TEST(h.host().fetched[0].method == "GET");
    BOOST_TEST(h.host().fetched[0].url == "http://127.0.0.1:7002/v2/credentials/5f4e");
    BOOST_TEST(h.host().fetched[0].header("Authorization") == "ecs-auth-token");

    TempDir dir;
    const std::string token_file = dir.write("eks-token", "eks-pod-identity-token\n");
    Harness full(R"({"container_credentials_full_uri":"http://127.0.0.1:7003/creds",
                     "container_authorization_token":"ignored","container_authorization_token_file":)" +
                 quoted(token_file) + "}");
    BOOST_TEST_REQUIRE(full.plugin() != nullptr, full.create_error().message);
    full.host().responder = [&](const FetchedRequest &) {
        return FetchReply{200, json_credentials("ASIAFULL", "full-secret", "full-token")};
    };
    expect_signed_with(full, "ASIAFULL", "full-secret", "full-token");
    BOOST_TEST(full.host().fetched.at(0).url == "http://127.0.0.1:7003/creds");
    BOOST_TEST(full.host().fetched.at(0).header("Authorization") == "eks-pod-identity-token");

    Harness refused(R"({"container_credentials_full_uri":"http://127.0.0.1:7003/creds"})");
    refused.host().responder = [&](const FetchedRequest &) { return FetchReply{403, R"({"message":"no"})"}; };
    const Prepared p = prepare_failing(refused);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "container credentials endpoint"), p.error.message);
    BOOST_TEST(!contains(p.error.message, "/creds"));
}

BOOST_AUTO_TEST_CASE(imdsv2_token_role_and_credentials) {
    Harness h(R"({"imds_endpoint":"http://127.0.0.1:7004"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &f) {
        if (f.method == "PUT" && f.url == "http://127.0.0.1:7004/latest/api/token")
            return FetchReply{200, "imds-session-token"};
        if (f.header("x-aws-ec2-metadata-token") != "imds-session-token") return FetchReply{401, ""};
        if (f.url == "http://127.0.0.1:7004/latest/meta-data/iam/security-credentials-extended/")
            return FetchReply{200, "bedrock-role\n"};
        if (f.url == "http://127.0.0.1:7004/latest/meta-data/iam/security-credentials-extended/bedrock-role") {
            ++issued;
            return FetchReply{200, json_credentials("ASIAIMDS" + std::to_string(issued), "imds-secret",
                                                    "imds-token-" + std::to_string(issued),
                                                    issued == 1 ? kExpiry : "2023-11-15T05:00:00+00:00")};
        }
        return FetchReply{404, ""};
    };
    expect_signed_with(h, "ASIAIMDS1", "imds-secret", "imds-token-1");
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 3u);
    BOOST_TEST(h.host().fetched[0].header("x-aws-ec2-metadata-token-ttl-seconds") == "21600");
    BOOST_TEST(h.host().fetched[1].method == "GET");

    expect_signed_with(h, "ASIAIMDS1", "imds-secret", "imds-token-1"); // cached
    BOOST_TEST(h.host().fetched.size() == 3u);
    h.host().now_ms += kHour - 4 * 60 * 1000; // within the refresh margin
    expect_signed_with(h, "ASIAIMDS2", "imds-secret", "imds-token-2");
    BOOST_TEST(issued == 2);
    BOOST_TEST(!logs_contain(h, "imds-secret"));
    BOOST_TEST(!logs_contain(h, "imds-token-"));
}

BOOST_AUTO_TEST_CASE(imds_falls_back_to_v1_and_to_the_classic_path) {
    Harness h(R"({"imds_endpoint":"http://127.0.0.1:7004"})");
    h.host().responder = [&](const FetchedRequest &f) {
        if (f.method == "PUT") return FetchReply{405, ""}; // IMDSv2 not offered
        if (!f.header("x-aws-ec2-metadata-token").empty()) return FetchReply{400, ""};
        if (f.url == "http://127.0.0.1:7004/latest/meta-data/iam/security-credentials/") return FetchReply{200, "legacy"};
        if (f.url == "http://127.0.0.1:7004/latest/meta-data/iam/security-credentials/legacy")
            return FetchReply{200, json_credentials("ASIAV1", "v1-secret", "v1-token")};
        return FetchReply{404, ""};
    };
    expect_signed_with(h, "ASIAV1", "v1-secret", "v1-token");

    // A 401 on a GET (token expired meanwhile) fetches a new token once.
    Harness renew(R"({"imds_endpoint":"http://127.0.0.1:7004"})");
    int tokens = 0;
    renew.host().responder = [&](const FetchedRequest &f) {
        if (f.method == "PUT") return FetchReply{200, "tok" + std::to_string(++tokens)};
        if (f.header("x-aws-ec2-metadata-token") != "tok2") return FetchReply{401, ""};
        if (f.url.size() > 1 && f.url.back() == '/') return FetchReply{200, "role"};
        return FetchReply{200, json_credentials("ASIARENEW", "renew-secret", "renew-token")};
    };
    expect_signed_with(renew, "ASIARENEW", "renew-secret", "renew-token");
    BOOST_TEST(tokens == 2);

    Harness no_role(R"({"imds_endpoint":"http://127.0.0.1:7004"})");
    no_role.host().responder = [&](const FetchedRequest &f) {
        return f.method == "PUT" ? FetchReply{200, "tok"} : FetchReply{404, ""};
    };
    const Prepared p = prepare_failing(no_role);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "no IAM role"), p.error.message);
    BOOST_TEST(contains(p.error.message, "no AWS credentials found"), p.error.message);

    Harness failure(R"({"imds_endpoint":"http://127.0.0.1:7004"})");
    failure.host().responder = [&](const FetchedRequest &f) {
        return f.method == "PUT" ? FetchReply{200, "tok"} : FetchReply{200, R"({"Code":"AssumeRoleUnauthorizedAccess"})"};
    };
    BOOST_TEST(prepare_failing(failure).status == HELIX_ERR_AUTH);
}

BOOST_AUTO_TEST_CASE(an_expired_token_from_bedrock_drops_the_credentials_so_the_retry_refetches) {
    Harness h(R"({"imds_endpoint":"http://127.0.0.1:7004"})");
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &f) {
        if (f.method == "PUT") return FetchReply{200, "tok"};
        if (f.url.back() == '/') return FetchReply{200, "role"};
        ++issued;
        return FetchReply{200, json_credentials("ASIA" + std::to_string(issued), "secret-" + std::to_string(issued),
                                                "token-" + std::to_string(issued))};
    };
    Request r = user_request();
    Outcome o = h.run(r, 403, error_headers("ExpiredTokenException"),
                      R"({"message":"The security token included in the request is expired"})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(o.message, "ExpiredTokenException"), o.message);
    BOOST_TEST(issued == 1);
    expect_signed_with(h, "ASIA2", "secret-2", "token-2"); // the host's second prepare()
    BOOST_TEST(issued == 2);

    // Other refusals (no model access) keep the credentials.
    o = h.run(r, 403, error_headers("AccessDeniedException"), R"({"message":"You don't have access to the model"})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    expect_signed_with(h, "ASIA2", "secret-2", "token-2");
    BOOST_TEST(issued == 2);

    // UnrecognizedClientException (revoked session) drops them too; so does the message alone.
    o = h.run(r, 403, {{"content-type", "application/json"}},
              R"({"message":"The security token included in the request is invalid."})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    expect_signed_with(h, "ASIA3", "secret-3", "token-3");
}

BOOST_AUTO_TEST_CASE(a_failed_refresh_keeps_unexpired_credentials_and_failures_back_off) {
    Harness h(R"({"container_credentials_full_uri":"http://127.0.0.1:7003/creds"})");
    bool up = true;
    int calls = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++calls;
        return up ? FetchReply{200, json_credentials("ASIAOK", "ok-secret", "ok-token")} : FetchReply{500, "down"};
    };
    expect_signed_with(h, "ASIAOK", "ok-secret", "ok-token");
    up = false;
    h.host().now_ms += kHour - 2 * 60 * 1000; // refresh due, two minutes left
    expect_signed_with(h, "ASIAOK", "ok-secret", "ok-token");
    BOOST_TEST(calls == 2);
    BOOST_TEST(contains(h.host().logs.back(), "refreshing AWS credentials failed"));
    h.host().now_ms += 3 * 60 * 1000; // expired now
    Prepared p = prepare_failing(h);
    BOOST_TEST(p.status == HELIX_ERR_RETRY);
    BOOST_TEST(p.error.http_status == 503);
    const int after_failure = calls;
    h.host().now_ms += 1000;
    BOOST_TEST(prepare_failing(h).status == HELIX_ERR_RETRY); // within the back-off: no new side request
    BOOST_TEST(calls == after_failure);
    h.host().now_ms += 5000;
    up = true;
    expect_signed_with(h, "ASIAOK", "ok-secret", "ok-token");
}

// On the host's event loop a refresh is refused (HELIX_ERR_WOULD_BLOCK) and
// leaves nothing behind: no failure to back off from, no refresh running.
BOOST_AUTO_TEST_CASE(a_refresh_refused_on_the_event_loop_leaves_no_state) {
    Harness h(R"({"container_credentials_full_uri":"http://127.0.0.1:7003/creds"})");
    int calls = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++calls;
        return FetchReply{200, json_credentials("ASIAOK", "ok-secret", "ok-token")};
    };
    h.host().on_loop = true;
    BOOST_TEST(prepare_failing(h).status == HELIX_ERR_WOULD_BLOCK);
    BOOST_TEST(prepare_failing(h).status == HELIX_ERR_WOULD_BLOCK); // not a cached failure either
    BOOST_TEST(calls == 0);
    BOOST_TEST(health(h) == HELIX_HEALTH_DEGRADED); // "none yet", not failing
    h.host().on_loop = false;                       // the worker pool
    expect_signed_with(h, "ASIAOK", "ok-secret", "ok-token");
    BOOST_TEST(calls == 1);
    h.host().on_loop = true;
    expect_signed_with(h, "ASIAOK", "ok-secret", "ok-token"); // cached: served on the loop
    h.host().now_ms += kHour - 2 * 60 * 1000;                 // refresh due
    BOOST_TEST(prepare_failing(h).status == HELIX_ERR_WOULD_BLOCK);
    h.host().on_loop = false;
    expect_signed_with(h, "ASIAOK", "ok-secret", "ok-token");
    BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(no_source_at_all_reports_every_link) {
    Harness h("{}"); // the responder is unset: every side request fails like a connection error
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    const Prepared p = prepare_failing(h);
    BOOST_TEST(p.status == HELIX_ERR_RETRY);
    BOOST_TEST(contains(p.error.message, "no AWS credentials found"), p.error.message);
    BOOST_TEST(contains(p.error.message, "http://169.254.169.254"), p.error.message);
    // A request Bedrock cannot take fails before any side request.
    Request n = user_request();
    n.n = 3;
    BOOST_TEST(h.prepare(n).status == HELIX_ERR_NOT_SUPPORTED);
}

BOOST_AUTO_TEST_CASE(credential_reply_parsers) {
    using namespace helix::aws_bedrock;
    BOOST_TEST(parse_iso8601_ms("1970-01-01T00:00:00Z").value() == 0);
    BOOST_TEST(parse_iso8601_ms("2023-11-14T22:13:20Z").value() == 1700000000000);
    BOOST_TEST(parse_iso8601_ms("2023-11-14T22:13:20.5Z").value() == 1700000000500);
    BOOST_TEST(parse_iso8601_ms("2023-11-14T23:13:20+01:00").value() == 1700000000000);
    BOOST_TEST(parse_iso8601_ms("2023-11-14T21:13:20-01:00").value() == 1700000000000);
    for (const char *bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z", "2023-02-30T00:00:00Z",
                            "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "abcd-11-14T22:13:20Z"})
        BOOST_TEST(!parse_iso8601_ms(bad).has_value(), bad);
    BOOST_TEST(xml_element_text("<a><B>x &amp; &lt;y&gt; &#65;&#x42; &bogus;</B></a>", "B").value() == "x & <y> AB &bogus;");
    const TimedCredentials c = parse_sts_credentials(sts_reply("AK", "S&amp;", "T"), 0);
    BOOST_TEST(c.credentials.secret_access_key == "S&");
    BOOST_TEST(c.expires_at_ms.value() == 1700000000000 + kHour);
    const TimedCredentials no_expiry = parse_json_credentials(R"({"AccessKeyId":"A","SecretAccessKey":"S"})", 1000, "x");
    BOOST_TEST(no_expiry.expires_at_ms.value() == 1000 + kUnknownExpiryMs);
    BOOST_CHECK_THROW(parse_json_credentials("[]", 0, "x"), helix::sdk::Error);
    BOOST_CHECK_THROW(parse_json_credentials(R"({"AccessKeyId":"A"})", 0, "x"), helix::sdk::Error);
}

// While one prepare() refreshes credentials that are due but not expired,
// the others sign with the current ones instead of waiting for its side request.
BOOST_AUTO_TEST_CASE(a_refresh_in_flight_does_not_hold_up_other_requests) {
    Harness h(R"({"container_credentials_full_uri":"http://127.0.0.1:7003/creds"})");
    std::mutex m;
    std::condition_variable cv;
    bool entered = false, release = false;
    int calls = 0;
    h.host().responder = [&](const FetchedRequest &) {
        if (++calls == 1) return FetchReply{200, json_credentials("ASIAOLD", "old-secret", "old-token")};
        std::unique_lock lock(m);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        return FetchReply{200, json_credentials("ASIANEW", "new-secret", "new-token", "2023-11-15T01:13:20Z")};
    };
    expect_signed_with(h, "ASIAOLD", "old-secret", "old-token");
    h.host().now_ms += kHour - 2 * 60 * 1000; // due for refresh, two minutes left
    auto refresher = std::async(std::launch::async, [&] {
        Request r = user_request();
        Prepared p = h.prepare(r);
        const std::string authorization = p.header("authorization");
        if (p.call != nullptr) h.descriptor().call_free(p.call);
        return authorization;
    });
    {
        std::unique_lock lock(m);
        BOOST_TEST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
    }
    // Another request meanwhile: signed at once with the unexpired credentials.
    auto other = std::async(std::launch::async, [&] {
        Request r = user_request();
        Prepared p = h.prepare(r);
        const std::string authorization = p.header("authorization");
        if (p.call != nullptr) h.descriptor().call_free(p.call);
        return authorization;
    });
    const bool at_once = other.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    BOOST_TEST(at_once);
    BOOST_TEST(contains(other.get(), "Credential=ASIAOLD/"));
    BOOST_TEST(contains(refresher.get(), "Credential=ASIANEW/"));
    expect_signed_with(h, "ASIANEW", "new-secret", "new-token");
    BOOST_TEST(calls == 2);
}

// A resolution that fails with something other than a helix error (here the
// host's fetch throwing) must not leave later calls waiting for it forever.
BOOST_AUTO_TEST_CASE(an_unexpected_failure_does_not_block_the_next_resolution) {
    Harness h(R"({"container_credentials_full_uri":"http://127.0.0.1:7003/creds"})");
    bool fail = true;
    h.host().responder = [&](const FetchedRequest &) -> FetchReply {
        if (fail) throw std::runtime_error("unexpected");
        return FetchReply{200, json_credentials("ASIAOK", "ok-secret", "ok-token")};
    };
    Request r = user_request();
    BOOST_TEST(h.prepare(r).status != HELIX_OK);
    fail = false;
    auto next = std::async(std::launch::async, [&] {
        Request again = user_request();
        Prepared p = h.prepare(again);
        const std::string authorization = p.header("authorization");
        if (p.call != nullptr) h.descriptor().call_free(p.call);
        return authorization;
    });
    BOOST_TEST_REQUIRE((next.wait_for(std::chrono::seconds(10)) == std::future_status::ready));
    BOOST_TEST(contains(next.get(), "Credential=ASIAOK/"));
}
