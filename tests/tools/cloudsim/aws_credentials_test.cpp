#define BOOST_TEST_MODULE cloudsim_aws_credentials
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/aws_credentials.hpp"

#include <boost/json/parse.hpp>

#include <map>
#include <string>

using namespace helix::cloudsim::aws_credentials;
namespace json = boost::json;

namespace {

constexpr std::int64_t kNow = 1'790'000'000;

struct Fixture {
    CredentialStore store{3600};
    CredentialEndpoints endpoints{EndpointSettings{}, store};

    EndpointReply call(std::string_view method, std::string_view path, std::map<std::string, std::string> headers = {},
                       std::string_view body = {}, std::string_view query = {}, std::int64_t now = kNow) {
        EndpointRequest r{method, path, query,
                          [headers](std::string_view name) -> std::optional<std::string> {
                              for (const auto &[k, v] : headers) {
                                  if (k.size() == name.size() &&
                                      std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                                          return std::tolower(static_cast<unsigned char>(a)) ==
                                                 std::tolower(static_cast<unsigned char>(b));
                                      }))
                                      return v;
                              }
                              return std::nullopt;
                          },
                          body};
        auto reply = endpoints.handle(r, now);
        BOOST_TEST_REQUIRE(reply.has_value());
        return *reply;
    }

    std::string imds_token(int ttl = 21600) {
        const auto r = call("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(ttl)}});
        BOOST_TEST_REQUIRE(r.status == 200);
        return r.body;
    }
};

// The text of <name>...</name> in an XML document.
std::string xml_value(const std::string &xml, const std::string &name) {
    const auto open = xml.find("<" + name + ">");
    const auto close = xml.find("</" + name + ">");
    if (open == std::string::npos || close == std::string::npos) return {};
    const auto from = open + name.size() + 2;
    return xml.substr(from, close - from);
}

} // namespace

BOOST_AUTO_TEST_SUITE(helpers)

BOOST_AUTO_TEST_CASE(formats) {
    BOOST_TEST(iso8601(0) == "1970-01-01T00:00:00Z");
    BOOST_TEST(iso8601(1'790'000'000) == "2026-09-21T14:13:20Z");
    const auto form = parse_form("Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A1&x=a+b&x=second&flag");
    BOOST_TEST(form.at("Action") == "AssumeRoleWithWebIdentity");
    BOOST_TEST(form.at("RoleArn") == "arn:aws:iam::1");
    BOOST_TEST(form.at("x") == "a b");
    BOOST_TEST(form.at("flag").empty());
    BOOST_TEST(xml_escape("<a&'\">") == "&lt;a&amp;&apos;&quot;&gt;");
    const std::string id = random_uuid();
    BOOST_TEST(id.size() == 36u);
    BOOST_TEST(id[14] == '4');
    BOOST_TEST(is_credential_path("/"));
    BOOST_TEST(is_credential_path("/latest/api/token"));
    BOOST_TEST(is_credential_path("/v2/credentials/x"));
    BOOST_TEST(is_credential_path("/v1/credentials"));
    BOOST_TEST(!is_credential_path("/model/x/converse"));
}

BOOST_AUTO_TEST_CASE(store_issues_distinct_credentials) {
    CredentialStore store(100);
    const auto a = store.issue("imds", "arn:aws:iam::123456789012:role/r", kNow);
    const auto b = store.issue("imds", "arn:aws:iam::123456789012:role/r", kNow, 1000);
    BOOST_TEST(a.access_key_id.starts_with("ASIA"));
    BOOST_TEST(a.access_key_id.size() == 20u);
    BOOST_TEST(a.secret_access_key.size() == 40u);
    BOOST_TEST(a.session_token.size() > 100u);
    BOOST_TEST(a.access_key_id != b.access_key_id);
    BOOST_TEST(a.expires_at_s == kNow + 100);
    BOOST_TEST(b.expires_at_s == kNow + 1000);
    BOOST_TEST(store.find(a.access_key_id)->session_token == a.session_token);
    BOOST_TEST(!store.find("ASIAUNKNOWN").has_value());
    const auto token = store.issue_imds_token(10, kNow);
    BOOST_TEST(store.imds_token_valid(token, kNow + 9));
    BOOST_TEST(!store.imds_token_valid(token, kNow + 10));
    BOOST_TEST(!store.imds_token_valid("other", kNow));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(imds, Fixture)

BOOST_AUTO_TEST_CASE(token_put) {
    const auto r = call("PUT", "/latest/api/token", {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}});
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.content_type == "text/plain");
    BOOST_TEST(!r.body.empty());
    BOOST_TEST(r.headers.at(0).first == "X-aws-ec2-metadata-token-ttl-seconds");
    BOOST_TEST(r.headers.at(0).second == "21600");
    BOOST_TEST(call("PUT", "/latest/api/token").status == 400);
    BOOST_TEST(call("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "0"}}).status == 400);
    BOOST_TEST(call("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21601"}}).status == 400);
    BOOST_TEST(call("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}, {"X-Forwarded-For", "1.2.3.4"}})
                   .status == 403);
    BOOST_TEST(call("GET", "/latest/api/token").status == 405);
}

BOOST_AUTO_TEST_CASE(credentials_need_a_token) {
    BOOST_TEST(call("GET", "/latest/meta-data/iam/security-credentials/").status == 401);
    BOOST_TEST(call("GET", "/latest/meta-data/iam/security-credentials/", {{"X-aws-ec2-metadata-token", "forged"}}).status ==
               401);
    const std::string token = imds_token(30);
    const std::map<std::string, std::string> h{{"x-aws-ec2-metadata-token", token}};
    const auto role = call("GET", "/latest/meta-data/iam/security-credentials/", h);
    BOOST_TEST(role.status == 200);
    BOOST_TEST(role.body == "helix-sim-role");

    const auto creds = call("GET", "/latest/meta-data/iam/security-credentials/helix-sim-role", h);
    BOOST_TEST(creds.status == 200);
    const auto doc = json::parse(creds.body).as_object();
    BOOST_TEST(doc.at("Code").as_string() == "Success");
    BOOST_TEST(doc.at("Type").as_string() == "AWS-HMAC");
    BOOST_TEST(doc.at("LastUpdated").as_string() == iso8601(kNow));
    BOOST_TEST(doc.at("Expiration").as_string() == iso8601(kNow + 3600));
    const std::string akid(doc.at("AccessKeyId").as_string());
    BOOST_TEST(akid.starts_with("ASIA"));
    const auto issued = store.find(akid);
    BOOST_TEST_REQUIRE(issued.has_value());
    BOOST_TEST(issued->secret_access_key == std::string(doc.at("SecretAccessKey").as_string()));
    BOOST_TEST(issued->session_token == std::string(doc.at("Token").as_string()));
    BOOST_TEST(issued->source == "imds");
    BOOST_TEST(!doc.contains("AccountId"));

    const auto extended = call("GET", "/latest/meta-data/iam/security-credentials-extended/helix-sim-role", h);
    BOOST_TEST(json::parse(extended.body).at("AccountId").as_string() == "123456789012");
    BOOST_TEST(call("GET", "/latest/meta-data/iam/security-credentials/other-role", h).status == 404);
    BOOST_TEST(call("GET", "/latest/meta-data/placement/region", h).body == "us-east-1");
    BOOST_TEST(call("GET", "/latest/meta-data/ami-id", h).status == 404);
    // The token expires.
    BOOST_TEST(call("GET", "/latest/meta-data/iam/security-credentials/", h, {}, {}, kNow + 30).status == 401);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(container, Fixture)

BOOST_AUTO_TEST_CASE(relative_and_full_uri) {
    const auto r = call("GET", "/v2/credentials/task-1234");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.content_type == "application/json");
    const auto doc = json::parse(r.body).as_object();
    for (const char *key : {"RoleArn", "AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"})
        BOOST_TEST(doc.contains(key), key);
    BOOST_TEST(doc.at("RoleArn").as_string() == "arn:aws:iam::123456789012:role/helix-sim-role");
    BOOST_TEST(doc.at("Expiration").as_string() == iso8601(kNow + 3600));
    BOOST_TEST(store.find(std::string(doc.at("AccessKeyId").as_string()))->source == "container");

    BOOST_TEST(call("GET", "/v2/credentials/task-1", {{"Authorization", "wrong"}}).status == 403);
    BOOST_TEST(call("GET", "/v2/credentials/").status == 404);
    BOOST_TEST(call("GET", "/v2/credentials/a/b").status == 404);
    BOOST_TEST(call("POST", "/v2/credentials/task-1").status == 405);

    const auto missing = call("GET", "/v1/credentials");
    BOOST_TEST(missing.status == 401);
    BOOST_TEST(json::parse(missing.body).at("Code").as_string() == "Unauthorized");
    BOOST_TEST(call("GET", "/v1/credentials", {{"Authorization", "nope"}}).status == 403);
    BOOST_TEST(call("GET", "/v1/credentials", {{"Authorization", "sim-container-token"}}).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(sts, Fixture)

const std::string kForm =
    "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fweb-role"
    "&RoleSessionName=session-1&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.e30.sig";

BOOST_AUTO_TEST_CASE(assume_role_with_web_identity) {
    const auto r = call("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}}, kForm);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.content_type == "text/xml");
    BOOST_TEST(r.body.starts_with("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
    const std::string akid = xml_value(r.body, "AccessKeyId");
    const auto issued = store.find(akid);
    BOOST_TEST_REQUIRE(issued.has_value());
    BOOST_TEST(xml_value(r.body, "SecretAccessKey") == issued->secret_access_key);
    BOOST_TEST(xml_value(r.body, "SessionToken") == xml_escape(issued->session_token));
    BOOST_TEST(xml_value(r.body, "Expiration") == iso8601(kNow + 3600));
    BOOST_TEST(xml_value(r.body, "Arn") == "arn:aws:sts::210987654321:assumed-role/web-role/session-1");
    BOOST_TEST(issued->role_arn == "arn:aws:iam::210987654321:role/web-role");
    BOOST_TEST(issued->source == "sts");
    BOOST_TEST(!xml_value(r.body, "RequestId").empty());
    BOOST_TEST(r.headers.at(0).first == "x-amzn-RequestId");

    // The query form, with DurationSeconds.
    const auto q = call("GET", "/", {}, {}, kForm + "&DurationSeconds=900");
    BOOST_TEST(q.status == 200);
    BOOST_TEST(xml_value(q.body, "Expiration") == iso8601(kNow + 900));
}

BOOST_AUTO_TEST_CASE(errors_are_aws_query_xml) {
    auto r = call("POST", "/", {}, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
    BOOST_TEST(r.status == 400);
    BOOST_TEST(xml_value(r.body, "Type") == "Sender");
    BOOST_TEST(xml_value(r.body, "Code") == "ValidationError");
    BOOST_TEST(xml_value(r.body, "Message").starts_with("3 validation errors detected: Value null at &apos;roleArn&apos;"));
    BOOST_TEST(r.body.starts_with("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));

    // An action the simulator does not serve (GetCallerIdentity is served now: unsigned, it is refused).
    r = call("POST", "/", {}, "Action=GetAccessKeyInfo&Version=2011-06-15");
    BOOST_TEST(xml_value(r.body, "Code") == "InvalidAction");
    r = call("POST", "/", {}, "Action=GetCallerIdentity&Version=2011-06-15");
    BOOST_TEST(xml_value(r.body, "Code") == "MissingAuthenticationToken");
    r = call("POST", "/", {}, "Version=2011-06-15");
    BOOST_TEST(xml_value(r.body, "Code") == "MissingAction");
    r = call("POST", "/", {}, kForm + "&DurationSeconds=60");
    BOOST_TEST(xml_value(r.body, "Code") == "ValidationError");
    r = call("POST", "/", {}, "Action=AssumeRoleWithWebIdentity&RoleArn=not-an-arn-at-all-really&RoleSessionName=s1&WebIdentityToken=abcd");
    BOOST_TEST(xml_value(r.body, "Message") == "Request ARN is invalid");
    r = call("POST", "/", {}, "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr&RoleSessionName=bad%20name&WebIdentityToken=abcd");
    BOOST_TEST(xml_value(r.body, "Message").find("roleSessionName") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_configured_token_is_the_only_one_accepted) {
    EndpointSettings settings;
    settings.web_identity_token = "the-test-token";
    CredentialEndpoints strict(settings, store);
    auto ask = [&](const std::string &token) {
        const std::string body = "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr"
                                 "&RoleSessionName=s1&WebIdentityToken=" + token;
        return *strict.handle({"POST", "/", "", [](std::string_view) { return std::optional<std::string>(); }, body}, kNow);
    };
    BOOST_TEST(ask("the-test-token").status == 200);
    const auto bad = ask("another-token");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(xml_value(bad.body, "Code") == "InvalidIdentityToken");
}

BOOST_AUTO_TEST_SUITE_END()

// STS AssumeRole: signed requests (service sts), the ExternalId condition,
// expired callers, role chaining; the SSO portal's GetRoleCredentials.
namespace {

struct SignedFixture {
    CredentialStore store{3600};
    CredentialEndpoints endpoints{[] {
                                      EndpointSettings s;
                                      s.access_key_id = "AKIDSTS";
                                      s.secret_access_key = "sts-secret";
                                      s.external_id = "ext-123";
                                      return s;
                                  }(),
                                  store};

    EndpointReply assume(const std::string &body, const helix::aws::Credentials &signer, std::int64_t now = kNow,
                         std::string_view service = "sts", std::string_view region = "us-east-1") {
        std::vector<helix::aws::HttpHeader> headers{{"Host", "127.0.0.1:4566"},
                                                    {"Content-Type", "application/x-www-form-urlencoded"}};
        helix::aws::SigningOptions o;
        o.region = region;
        o.service = service;
        o.time = std::chrono::sys_seconds(std::chrono::seconds(now));
        const auto signature = helix::aws::sign({"POST", "/", "", "", headers, body, ""}, signer, o);
        BOOST_TEST_REQUIRE(signature.ok(), signature.error);
        helix::aws::apply_signature(headers, signature);
        EndpointRequest r{"POST", "/", "",
                          [headers](std::string_view name) -> std::optional<std::string> {
                              for (const auto &h : headers)
                                  if (h.name.size() == name.size() &&
                                      std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
                                          return std::tolower(static_cast<unsigned char>(a)) ==
                                                 std::tolower(static_cast<unsigned char>(b));
                                      }))
                                      return h.value;
                              return std::nullopt;
                          },
                          body, headers};
        auto reply = endpoints.handle(r, now);
        BOOST_TEST_REQUIRE(reply.has_value());
        return *reply;
    }
};

const std::string kAssume = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fx"
                            "&RoleSessionName=s1&ExternalId=ext-123";

} // namespace

BOOST_AUTO_TEST_CASE(assume_role_checks_the_signature_external_id_and_expiry) {
    SignedFixture f;
    const helix::aws::Credentials base{"AKIDSTS", "sts-secret", ""};
    const EndpointReply ok = f.assume(kAssume, base);
    BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
    BOOST_TEST(ok.body.find("<AssumeRoleResponse") != std::string::npos);
    BOOST_TEST(xml_value(ok.body, "Arn") == "arn:aws:sts::210987654321:assumed-role/x/s1");
    const helix::aws::Credentials role{xml_value(ok.body, "AccessKeyId"), xml_value(ok.body, "SecretAccessKey"),
                                       xml_value(ok.body, "SessionToken")};

    BOOST_TEST(xml_value(f.assume(kAssume, {"AKIDSTS", "wrong", ""}).body, "Code") == "SignatureDoesNotMatch");
    BOOST_TEST(xml_value(f.assume(kAssume, {"AKIDNOPE", "x", ""}).body, "Code") == "InvalidClientTokenId");
    BOOST_TEST(xml_value(f.assume(kAssume, base, kNow, "bedrock").body, "Code") == "SignatureDoesNotMatch");
    const EndpointReply denied = f.assume(kAssume.substr(0, kAssume.find("&ExternalId")) + "&ExternalId=other", base);
    BOOST_TEST(denied.status == 403);
    BOOST_TEST(xml_value(denied.body, "Code") == "AccessDenied");
    BOOST_TEST(xml_value(denied.body, "Message").find("sts:AssumeRole on resource: arn:aws:iam::210987654321:role/x") !=
               std::string::npos);
    BOOST_TEST(xml_value(f.assume(kAssume.substr(0, kAssume.find("&ExternalId")), base).body, "Code") == "AccessDenied");

    // Role chaining: at most an hour.
    const EndpointReply chained = f.assume(kAssume + "&DurationSeconds=7200", role);
    BOOST_TEST(chained.status == 400);
    BOOST_TEST(xml_value(chained.body, "Message").find("role chaining") != std::string::npos);
    BOOST_TEST(f.assume(kAssume, role).status == 200);
    // Unsigned: MissingAuthenticationToken.
    Fixture plain;
    BOOST_TEST(xml_value(plain.call("POST", "/", {}, kAssume).body, "Code") == "MissingAuthenticationToken");
    // Expired callers: ExpiredToken.
    BOOST_TEST(f.store.expire_all(kNow) >= 2u);
    BOOST_TEST(xml_value(f.assume(kAssume, role, kNow + 1).body, "Code") == "ExpiredToken");
}

BOOST_AUTO_TEST_CASE(sso_get_role_credentials) {
    Fixture f;
    const EndpointReply ok = f.call("GET", "/federation/credentials", {{"x-amz-sso_bearer_token", "sim-sso-access-token"}},
                                    {}, "account_id=123456789012&role_name=BedrockUser");
    BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
    const auto rc = json::parse(ok.body).at("roleCredentials").as_object();
    BOOST_TEST(rc.at("accessKeyId").as_string().starts_with("ASIA"));
    BOOST_TEST(rc.at("expiration").as_int64() == (kNow + 3600) * 1000);
    BOOST_TEST(f.store.find(std::string(rc.at("accessKeyId").as_string())).has_value());
    const EndpointReply bad = f.call("GET", "/federation/credentials", {{"x-amz-sso_bearer_token", "other"}}, {},
                                     "account_id=123456789012&role_name=BedrockUser");
    BOOST_TEST(bad.status == 401);
    BOOST_TEST(bad.headers.at(0).second == "UnauthorizedException");
    BOOST_TEST(f.call("GET", "/federation/credentials", {{"x-amz-sso_bearer_token", "sim-sso-access-token"}}, {},
                      "account_id=999999999999&role_name=BedrockUser")
                   .status == 403);
}
