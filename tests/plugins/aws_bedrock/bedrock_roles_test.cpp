#define BOOST_TEST_MODULE plugins_aws_bedrock_roles
#include <boost/test/unit_test.hpp>

// Bedrock API keys, AssumeRole (settings.role_arn and profile role chains,
// credential_source), IAM Identity Center profiles, FIPS and endpoint
// overrides, against a FakeHost that checks each side request the way STS
// and the SSO portal do (the STS call's SigV4 signature with aws_common's
// verifier).

#include "bedrock_test_support.hpp"

#include "plugins/aws_bedrock/assume_role.hpp"
#include "plugins/aws_bedrock/sso_credentials.hpp"

using namespace helix::test;
using namespace helix::test::bedrock;

namespace {

constexpr std::int64_t kHour = 3600 * 1000;
const std::string kExpiry = "2023-11-14T23:13:20Z"; // FakeHost.now_ms + 1 h

std::string assume_role_reply(const std::string &id, const std::string &secret, const std::string &token,
                              const std::string &expiration = kExpiry) {
    return R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/bedrock/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>)" + id + R"(</AccessKeyId>
      <SecretAccessKey>)" + secret + R"(</SecretAccessKey>
      <SessionToken>)" + token + R"(</SessionToken>
      <Expiration>)" + expiration + R"(</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>4a1b</RequestId></ResponseMetadata>
</AssumeRoleResponse>)";
}

std::string sts_error(const std::string &code, const std::string &message) {
    return R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>)" +
           code + "</Code><Message>" + message + "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

// The STS call's signature, checked as STS does: service sts, the region,
// the caller's key (and session token).
helix::aws::VerifyResult verify_sts(const FetchedRequest &f, const std::string &id, const std::string &secret,
                                    const std::string &token, std::int64_t now_ms, std::string_view region) {
    const auto url = helix::aws::split_url(f.url);
    std::vector<helix::aws::HttpHeader> headers;
    for (const auto &h : f.headers) headers.push_back({h.name, h.value});
    helix::aws::VerifyOptions o;
    o.region = region;
    o.service = "sts";
    o.now = std::chrono::sys_seconds(std::chrono::seconds(now_ms / 1000));
    return helix::aws::verify({f.method, url->path, url->query, headers, f.body},
                              [&](std::string_view akid) -> std::optional<helix::aws::VerifierSecret> {
                                  if (akid != id) return std::nullopt;
                                  return helix::aws::VerifierSecret{secret, token};
                              },
                              o);
}

Request user_request(std::string model = "anthropic.claude-3-sonnet") {
    Request r;
    r.model = std::move(model);
    r.messages = {Message::user("Hello")};
    return r;
}

void expect_signed_with(Harness &h, const std::string &id, const std::string &secret, const std::string &token,
                        std::string_view region = "us-east-1") {
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.header("authorization").find("Credential=" + id + "/") != std::string::npos, p.header("authorization"));
    const auto v = verify_prepared(p, id, secret, token, h.host().now_ms, region);
    BOOST_TEST(v.ok(), v.message);
    h.descriptor().call_free(p.call);
}

bool logs_contain(Harness &h, const std::string &secret) {
    for (const auto &l : h.host().logs)
        if (contains(l, secret)) return true;
    return false;
}

helix_health health(Harness &h) {
    helix_error e = make_error();
    return static_cast<helix_health>(h.descriptor().health(h.plugin(), &e));
}

} // namespace

BOOST_AUTO_TEST_CASE(an_api_key_is_a_bearer_token_and_wins_over_every_credential) {
    Harness h(R"({"api_key":"ABSKc2VjcmV0LWtleQ==","access_key_id":"AKIDSETTINGS","secret_access_key":"settings-secret",
                  "profile":"nowhere","imds_endpoint":"http://127.0.0.1:7004"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message); // the chain (and the profile) is not used
    BOOST_TEST(health(h) == HELIX_HEALTH_OK);
    Request r = user_request();
    r.stream = true;
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.header("authorization") == "Bearer ABSKc2VjcmV0LWtleQ==");
    BOOST_TEST(p.header("x-amz-date").empty());
    BOOST_TEST(p.header("accept") == "application/vnd.amazon.eventstream");
    BOOST_TEST(p.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
                        "anthropic.claude-3-sonnet-20240229-v1%3A0/converse-stream");
    h.descriptor().call_free(p.call);
    BOOST_TEST(h.host().fetched.empty());
    BOOST_TEST(!logs_contain(h, "c2VjcmV0"));

    // Bedrock's refusal of a key: AUTH, with the message, never the key.
    Request plain = user_request();
    const Outcome o = h.run(plain, 403, error_headers("AccessDeniedException"),
                            R"({"Message":"Authentication failed: key ABSKc2VjcmV0LWtleQ== is not valid."})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(o.message, "Authentication failed"), o.message);
    BOOST_TEST(!contains(o.message, "c2VjcmV0"), o.message);

    Harness bad(R"({"api_key":"ABSK\nx"})");
    BOOST_TEST(bad.plugin() == nullptr);
    BOOST_TEST(contains(bad.create_error().message, "settings.api_key"));
}

BOOST_AUTO_TEST_CASE(role_arn_is_assumed_with_the_chains_credentials_and_refreshed) {
    Harness h(R"({"access_key_id":"AKIDBASE","secret_access_key":"base-secret","region":"eu-west-1",
                  "role_arn":"arn:aws:iam::210987654321:role/bedrock","external_id":"ext-7781",
                  "role_session_name":"gateway","duration_seconds":"1800","sts_endpoint":"http://127.0.0.1:7001"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, assume_role_reply("ASIAROLE" + std::to_string(issued), "role-secret-" + std::to_string(issued),
                                                 "role-token-" + std::to_string(issued))};
    };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(verify_prepared(p, "ASIAROLE1", "role-secret-1", "role-token-1", h.host().now_ms, "eu-west-1").ok());
    h.descriptor().call_free(p.call);
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u);
    const FetchedRequest &f = h.host().fetched[0];
    BOOST_TEST(f.method == "POST");
    BOOST_TEST(f.url == "http://127.0.0.1:7001/");
    BOOST_TEST(f.body == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2F"
                         "bedrock&RoleSessionName=gateway&ExternalId=ext-7781&DurationSeconds=1800");
    const auto v = verify_sts(f, "AKIDBASE", "base-secret", "", h.host().now_ms, "eu-west-1");
    BOOST_TEST(v.ok(), v.message);

    // Cached until five minutes before expiry, then assumed again.
    h.host().now_ms += kHour - 6 * 60 * 1000;
    expect_signed_with(h, "ASIAROLE1", "role-secret-1", "role-token-1", "eu-west-1");
    BOOST_TEST(issued == 1);
    h.host().now_ms += 2 * 60 * 1000;
    h.host().responder = [&](const FetchedRequest &) {
        ++issued;
        return FetchReply{200, assume_role_reply("ASIAROLE" + std::to_string(issued), "role-secret-" + std::to_string(issued),
                                                 "role-token-" + std::to_string(issued), "2023-11-15T01:13:20Z")};
    };
    expect_signed_with(h, "ASIAROLE2", "role-secret-2", "role-token-2", "eu-west-1");

    // Bedrock says the role's session expired: dropped, the retry assumes the role again.
    const Outcome o = h.run(r, 403, error_headers("ExpiredTokenException"),
                            R"({"message":"The security token included in the request is expired"})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(issued == 2);
    expect_signed_with(h, "ASIAROLE3", "role-secret-3", "role-token-3", "eu-west-1");
    BOOST_TEST(issued == 3);
    for (const char *secret : {"base-secret", "role-secret-", "role-token-", "ext-7781"}) BOOST_TEST(!logs_contain(h, secret));
}

BOOST_AUTO_TEST_CASE(sts_refusals_name_the_code_and_never_a_secret) {
    Harness h(R"({"aws_access_key_id":"AKIDENV","aws_secret_access_key":"env-secret","aws_session_token":"env-token",
                  "role_arn":"arn:aws:iam::210987654321:role/bedrock","external_id":"wrong-ext",
                  "sts_endpoint":"http://127.0.0.1:7001"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    h.host().responder = [&](const FetchedRequest &) {
        return FetchReply{403, sts_error("AccessDenied", "User: arn:aws:iam::123456789012:user/gw is not authorized to "
                                                         "perform: sts:AssumeRole on resource: env-token")};
    };
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "AccessDenied"), p.error.message);
    BOOST_TEST(contains(p.error.message, "settings.role_arn"), p.error.message);
    BOOST_TEST(!contains(p.error.message, "env-token"), p.error.message);
    BOOST_TEST(!contains(p.error.message, "env-secret"), p.error.message);
    // The session token of the base credentials is signed into the STS call.
    const auto v = verify_sts(h.host().fetched.at(0), "AKIDENV", "env-secret", "env-token", h.host().now_ms, "us-east-1");
    BOOST_TEST(v.ok(), v.message);

    h.host().now_ms += 10'000; // past the failure back-off
    h.host().responder = [&](const FetchedRequest &) {
        return FetchReply{403, sts_error("ExpiredToken", "The security token included in the request is expired")};
    };
    p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "ExpiredToken"), p.error.message);
    h.host().now_ms += 10'000;
    h.host().responder = [&](const FetchedRequest &) { return FetchReply{400, sts_error("Throttling", "Rate exceeded")}; };
    BOOST_TEST(h.prepare(r).status == HELIX_ERR_RETRY);

    BOOST_TEST(helix::aws_bedrock::sts_signing_region("https://sts.amazonaws.com", "eu-west-1") == "us-east-1");
    BOOST_TEST(helix::aws_bedrock::sts_signing_region("https://sts-fips.us-west-2.amazonaws.com", "x") == "us-west-2");
    BOOST_TEST(helix::aws_bedrock::sts_signing_region("http://127.0.0.1:9", "ap-south-1") == "ap-south-1");
}

BOOST_AUTO_TEST_CASE(profile_role_chains_source_profiles_and_credential_sources) {
    TempDir dir;
    const std::string credentials = dir.write("credentials", "[base]\naws_access_key_id = AKIDBASE\n"
                                                             "aws_secret_access_key = base-secret\n");
    const std::string config = dir.write("config", "[profile first]\nrole_arn = arn:aws:iam::111111111111:role/first\n"
                                                   "source_profile = base\nrole_session_name = one\n"
                                                   "[profile second]\nrole_arn = arn:aws:iam::222222222222:role/second\n"
                                                   "source_profile = first\nexternal_id = ext-2\nduration_seconds = 900\n"
                                                   "[profile fromenv]\nrole_arn = arn:aws:iam::333333333333:role/env\n"
                                                   "credential_source = Environment\n"
                                                   "[profile fromecs]\nrole_arn = arn:aws:iam::444444444444:role/ecs\n"
                                                   "credential_source = EcsContainer\n"
                                                   "[profile loop1]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop2\n"
                                                   "[profile loop2]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop1\n"
                                                   "[profile odd]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Lambda\n");
    const std::string files = R"("credentials_file":)" + quoted(credentials) + R"(,"config_file":)" + quoted(config) +
                              R"(,"sts_endpoint":"http://127.0.0.1:7001")";
    int issued = 0;
    const auto sts = [&](const FetchedRequest &f) {
        if (f.url.find("/creds") != std::string::npos)
            return FetchReply{200, R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"ecs-secret","Token":"ecs-token",
                                       "Expiration":")" + kExpiry + R"("})"};
        ++issued;
        return FetchReply{200, assume_role_reply("ASIAHOP" + std::to_string(issued), "hop-secret-" + std::to_string(issued),
                                                 "hop-token-" + std::to_string(issued))};
    };

    // second <- first <- base: two AssumeRole calls, each signed with the previous hop's credentials.
    Harness two("{" + files + R"(,"profile":"second"})");
    BOOST_TEST_REQUIRE(two.plugin() != nullptr, two.create_error().message);
    two.host().responder = sts;
    expect_signed_with(two, "ASIAHOP2", "hop-secret-2", "hop-token-2");
    BOOST_TEST_REQUIRE(two.host().fetched.size() == 2u);
    const FetchedRequest &hop1 = two.host().fetched[0], &hop2 = two.host().fetched[1];
    BOOST_TEST(contains(hop1.body, "RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Ffirst&RoleSessionName=one"));
    BOOST_TEST(verify_sts(hop1, "AKIDBASE", "base-secret", "", two.host().now_ms, "us-east-1").ok());
    BOOST_TEST(contains(hop2.body, "role%2Fsecond"));
    BOOST_TEST(contains(hop2.body, "&ExternalId=ext-2&DurationSeconds=900"));
    BOOST_TEST(verify_sts(hop2, "ASIAHOP1", "hop-secret-1", "hop-token-1", two.host().now_ms, "us-east-1").ok());

    // credential_source = Environment: the AWS_* keys are the base, and an
    // explicit profile wins over them as the first link (as in the SDKs).
    Harness env("{" + files + R"(,"aws_profile":"fromenv","aws_access_key_id":"AKIDENV","aws_secret_access_key":"env-secret"})");
    BOOST_TEST_REQUIRE(env.plugin() != nullptr, env.create_error().message);
    issued = 0;
    env.host().responder = sts;
    expect_signed_with(env, "ASIAHOP1", "hop-secret-1", "hop-token-1");
    BOOST_TEST(verify_sts(env.host().fetched.at(0), "AKIDENV", "env-secret", "", env.host().now_ms, "us-east-1").ok());

    // credential_source = EcsContainer.
    Harness ecs("{" + files + R"(,"profile":"fromecs","container_credentials_full_uri":"http://127.0.0.1:7003/creds"})");
    BOOST_TEST_REQUIRE(ecs.plugin() != nullptr, ecs.create_error().message);
    issued = 0;
    ecs.host().responder = sts;
    expect_signed_with(ecs, "ASIAHOP1", "hop-secret-1", "hop-token-1");
    BOOST_TEST_REQUIRE(ecs.host().fetched.size() == 2u);
    BOOST_TEST(verify_sts(ecs.host().fetched[1], "ASIAECS", "ecs-secret", "ecs-token", ecs.host().now_ms, "us-east-1").ok());

    const auto create_error = [&](const std::string &extra) {
        Harness h("{" + files + "," + extra + "}");
        BOOST_TEST(h.plugin() == nullptr);
        return std::string(h.create_error().message);
    };
    BOOST_TEST(contains(create_error(R"("profile":"loop1")"), "source_profile cycle"));
    BOOST_TEST(contains(create_error(R"("profile":"odd")"), "credential_source 'Lambda'"));
    BOOST_TEST(contains(create_error(R"("profile":"fromenv")"), "AWS_ACCESS_KEY_ID"));
    BOOST_TEST(!contains(create_error(R"("profile":"loop1")"), "base-secret"));
}

BOOST_AUTO_TEST_CASE(sso_profiles_use_the_cached_token_and_get_role_credentials) {
    TempDir home;
    const std::string config = home.write(".aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
                                                         "sso_role_name = BedrockUser\n"
                                                         "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                                                         "sso_region = eu-west-1\n"
                                                         "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\n"
                                                         "sso_region = us-east-2\nsso_account_id = 111122223333\n"
                                                         "sso_role_name = Old\n"
                                                         "[profile incomplete]\nsso_session = corp\n");
    (void)config;
    // The file names the CLI uses: sha1("corp"), sha1(start URL).
    BOOST_TEST(helix::aws_bedrock::sha1_hex("corp") == "ee0bfd2552fbd840c02cc48b6e823320543c450f");
    const std::string token_json = R"({"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1",
        "accessToken":"sso-access-token-1","expiresAt":"2023-11-15T06:00:00Z","refreshToken":"sso-refresh"})";
    home.write(".aws/sso/cache/" + helix::aws_bedrock::sha1_hex("corp") + ".json", token_json);
    const std::string settings = R"("home":)" + quoted(home.path.string()) + R"(,"sso_endpoint":"http://127.0.0.1:7005")";

    Harness h("{" + settings + R"(,"profile":"dev"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    int issued = 0;
    h.host().responder = [&](const FetchedRequest &f) {
        if (f.header("x-amz-sso_bearer_token") != "sso-access-token-1")
            return FetchReply{401, R"({"message":"Session token not found or invalid"})",
                              {{"x-amzn-ErrorType", "UnauthorizedException:http://internal.amazon.com/"}}};
        ++issued;
        return FetchReply{200, R"({"roleCredentials":{"accessKeyId":"ASIASSO)" + std::to_string(issued) +
                                   R"(","secretAccessKey":"sso-secret","sessionToken":"sso-token","expiration":)" +
                                   std::to_string(h.host().now_ms + kHour) + "}}"};
    };
    expect_signed_with(h, "ASIASSO1", "sso-secret", "sso-token");
    BOOST_TEST_REQUIRE(h.host().fetched.size() == 1u);
    BOOST_TEST(h.host().fetched[0].method == "GET");
    BOOST_TEST(h.host().fetched[0].url ==
               "http://127.0.0.1:7005/federation/credentials?account_id=111122223333&role_name=BedrockUser");
    // Refreshed five minutes before the role credentials expire.
    h.host().now_ms += kHour - 4 * 60 * 1000;
    expect_signed_with(h, "ASIASSO2", "sso-secret", "sso-token");
    BOOST_TEST(!logs_contain(h, "sso-access-token"));

    // A revoked token: AUTH naming the login command, never the token.
    home.write(".aws/sso/cache/" + helix::aws_bedrock::sha1_hex("corp") + ".json",
               R"({"accessToken":"revoked-token","expiresAt":"2023-11-16T06:00:00Z"})");
    h.host().now_ms += kHour;
    Request r = user_request();
    Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "aws sso login --sso-session corp"), p.error.message);
    BOOST_TEST(!contains(p.error.message, "revoked-token"), p.error.message);

    // An expired cached token is a configuration error (refreshing would write the cache).
    home.write(".aws/sso/cache/" + helix::aws_bedrock::sha1_hex("corp") + ".json",
               R"({"accessToken":"old","expiresAt":"2023-11-14T00:00:00Z"})");
    h.host().now_ms += 10'000;
    p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_CONFIG);
    BOOST_TEST(contains(p.error.message, "has expired"), p.error.message);

    // The legacy form names its file by the start URL; no cached token -> say how to log in.
    Harness legacy("{" + settings + R"(,"profile":"legacy"})");
    BOOST_TEST_REQUIRE(legacy.plugin() != nullptr, legacy.create_error().message);
    legacy.host().responder = h.host().responder;
    p = legacy.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_CONFIG);
    BOOST_TEST(contains(p.error.message, helix::aws_bedrock::sha1_hex("https://old.awsapps.com/start")), p.error.message);
    BOOST_TEST(contains(p.error.message, "aws sso login"), p.error.message);

    Harness incomplete("{" + settings + R"(,"profile":"incomplete"})");
    BOOST_TEST(incomplete.plugin() == nullptr);
    BOOST_TEST(contains(incomplete.create_error().message, "sso_account_id"));
}

BOOST_AUTO_TEST_CASE(credential_process_profiles_run_through_the_host_and_refresh) {
    TempDir dir;
    const std::string config = dir.write("config", "[profile proc]\n"
                                                   "credential_process = /opt/corp/creds --role \"bedrock user\"\n"
                                                   "[profile proc-role]\nrole_arn = arn:aws:iam::555555555555:role/up\n"
                                                   "source_profile = proc\n");
    const std::string files = R"("credentials_file":"/nonexistent/credentials","config_file":)" + quoted(config) +
                              R"(,"sts_endpoint":"http://127.0.0.1:7001")";
    int runs = 0;
    const auto program = [&](const std::string &) {
        ++runs;
        return ProcessReply{0, R"({"Version": 1, "AccessKeyId": "ASIAPROC)" + std::to_string(runs) +
                                   R"(", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token",
                                      "Expiration": ")" + kExpiry + R"("})"};
    };

    // The program does not run while the instance is created, only for the first call.
    Harness h("{" + files + R"(,"profile":"proc"})");
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    BOOST_TEST(h.host().processes.empty());
    h.host().processor = program;
    expect_signed_with(h, "ASIAPROC1", "proc-secret", "proc-token");
    BOOST_TEST_REQUIRE(h.host().processes.size() == 1u);
    BOOST_TEST(h.host().processes[0] == "/opt/corp/creds --role \"bedrock user\""); // as written: the host splits it
    expect_signed_with(h, "ASIAPROC1", "proc-secret", "proc-token");
    BOOST_TEST(runs == 1); // cached

    // Run again five minutes before Expiration, and after Bedrock refused the credentials.
    h.host().now_ms += kHour - 4 * 60 * 1000;
    expect_signed_with(h, "ASIAPROC2", "proc-secret", "proc-token");
    h.host().now_ms -= kHour - 10 * 60 * 1000; // back to 10 min after the start, so kExpiry is far
    Request r = user_request();
    const Outcome o = h.run(r, 403, error_headers("ExpiredTokenException"),
                            R"({"message":"The security token included in the request is expired"})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(runs == 2);
    expect_signed_with(h, "ASIAPROC3", "proc-secret", "proc-token");

    // A program that fails: its exit code in the error, its first stderr line in the log, no output anywhere.
    h.host().processor = [](const std::string &) {
        return ProcessReply{2, R"({"SecretAccessKey":"leaked-secret"})", "corp-creds: session expired, run corp-login\nmore"};
    };
    const Outcome again = h.run(r, 403, error_headers("ExpiredTokenException"), R"({"message":"expired"})");
    BOOST_TEST(again.status == HELIX_ERR_AUTH);
    Prepared p = h.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_AUTH);
    BOOST_TEST(contains(p.error.message, "credential_process of the AWS profile 'proc'"), p.error.message);
    BOOST_TEST(contains(p.error.message, "exited with code 2"), p.error.message);
    BOOST_TEST(!contains(p.error.message, "leaked-secret"), p.error.message);
    BOOST_TEST(logs_contain(h, "run corp-login"));
    BOOST_TEST(!logs_contain(h, "more"));
    BOOST_TEST(!logs_contain(h, "leaked-secret"));
    BOOST_TEST(!logs_contain(h, "proc-secret"));

    // What the program prints is checked as the SDKs do.
    const auto refusal = [&](const std::string &out) {
        Harness bad("{" + files + R"(,"profile":"proc"})");
        bad.host().processor = [out](const std::string &) { return ProcessReply{0, out}; };
        Request req = user_request();
        Prepared pp = bad.prepare(req);
        BOOST_TEST(pp.status == HELIX_ERR_AUTH);
        return std::string(pp.error.message);
    };
    BOOST_TEST(contains(refusal(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"})"), "Version"));
    BOOST_TEST(contains(refusal("not json"), "not a JSON object"));
    BOOST_TEST(contains(refusal(R"({"Version":1,"AccessKeyId":"A"})"), "no AccessKeyId and SecretAccessKey"));
    BOOST_TEST(contains(refusal(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2020-01-01T00:00:00Z"})"),
                        "already expired"));
    // Without Expiration they are long-term, and without a session token they sign as keys.
    Harness longterm("{" + files + R"(,"profile":"proc"})");
    longterm.host().processor = [](const std::string &) {
        return ProcessReply{0, R"({"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"long-secret"})"};
    };
    expect_signed_with(longterm, "AKIDPROC", "long-secret", "");
    longterm.host().now_ms += 30 * kHour;
    expect_signed_with(longterm, "AKIDPROC", "long-secret", "");
    BOOST_TEST(longterm.host().processes.size() == 1u);

    // A host that runs no programs: a configuration error that says so.
    Harness unsupported("{" + files + R"(,"profile":"proc"})");
    p = unsupported.prepare(r);
    BOOST_TEST(p.status == HELIX_ERR_CONFIG);
    BOOST_TEST(contains(p.error.message, "does not run credential programs"), p.error.message);

    // The program's credentials as a source profile: AssumeRole signed with them.
    Harness role("{" + files + R"(,"profile":"proc-role"})");
    runs = 0;
    role.host().processor = program;
    role.host().responder = [](const FetchedRequest &) {
        return FetchReply{200, assume_role_reply("ASIAUP", "up-secret", "up-token")};
    };
    expect_signed_with(role, "ASIAUP", "up-secret", "up-token");
    BOOST_TEST_REQUIRE(role.host().fetched.size() == 1u);
    BOOST_TEST(verify_sts(role.host().fetched[0], "ASIAPROC1", "proc-secret", "proc-token", role.host().now_ms,
                          "us-east-1").ok());
}

BOOST_AUTO_TEST_CASE(fips_endpoint_overrides_and_inference_profiles) {
    Harness fips(R"({"access_key_id":"AKID","secret_access_key":"s","region":"us-west-2","use_fips":"true"})");
    BOOST_TEST_REQUIRE(fips.plugin() != nullptr, fips.create_error().message);
    for (const std::string model : {"us.anthropic.claude-3-5-sonnet-20241022-v2:0", "global.anthropic.claude-sonnet-4-20250514-v1:0"}) {
        Request r = user_request(model);
        Prepared p = fips.prepare(r);
        BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
        // The profile id goes unchanged (percent-encoded like the SDKs), the region is the provider's.
        BOOST_TEST(p.url == "https://bedrock-runtime-fips.us-west-2.amazonaws.com/model/" +
                                helix::aws::uri_encode(model, false) + "/converse");
        BOOST_TEST(verify_prepared(p, "AKID", "s", "", fips.host().now_ms, "us-west-2").ok());
        fips.descriptor().call_free(p.call);
    }
    Harness url(R"({"access_key_id":"AKID","secret_access_key":"s","endpoint_url":"http://127.0.0.1:4566/"})");
    Request r = user_request("eu.meta.llama3-2-3b-instruct-v1:0");
    Prepared p = url.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "http://127.0.0.1:4566/model/eu.meta.llama3-2-3b-instruct-v1%3A0/converse");
    url.descriptor().call_free(p.call);
    Harness both(R"({"access_key_id":"AKID","secret_access_key":"s","endpoint":"http://127.0.0.1:1",
                     "endpoint_url":"http://127.0.0.1:2"})");
    p = both.prepare(r);
    BOOST_TEST(contains(p.url, "127.0.0.1:1/"));
    both.descriptor().call_free(p.call);
}
