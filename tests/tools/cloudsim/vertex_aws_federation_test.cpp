#define BOOST_TEST_MODULE cloudsim_vertex_aws_federation
#include <boost/test/unit_test.hpp>

// Google STS's check of AWS-sourced workload identity subject tokens: a
// serialised, SigV4-signed GetCallerIdentity request that the simulated
// Google STS replays to the simulated AWS STS of the same process.

#include "plugins/aws_common/sigv4.hpp"
#include "plugins/common/percent_encoding.hpp"
#include "plugins/gcp_common/service_account.hpp"
#include "tools/cloudsim/aws_credentials.hpp"
#include "tools/cloudsim/aws_process_sts.hpp"
#include "tools/cloudsim/vertex_federation.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace helix::cloudsim;
namespace json = boost::json;
namespace gcp = helix::gcp;

namespace {

constexpr std::int64_t kNow = 1'790'000'000;
const std::string kAudience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws";

struct Aws {
    aws_credentials::CredentialStore store{3600};
    aws_credentials::CredentialEndpoints endpoints{[] {
                                                       aws_credentials::EndpointSettings s;
                                                       s.access_key_id = "AKIDLONGTERM";
                                                       s.secret_access_key = "long-term-secret";
                                                       return s;
                                                   }(),
                                                   store};
    Aws() { aws_credentials::set_process_sts(&endpoints); }
    ~Aws() { aws_credentials::set_process_sts(nullptr); }
    Aws(const Aws &) = delete;
    Aws &operator=(const Aws &) = delete;
};

struct TokenSpec {
    std::string url = "https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
    std::string region = "us-east-1";
    std::string target = kAudience;
    std::string method = "POST";
    std::int64_t signed_at = kNow;
};

// What a Google auth library sends as the subject token.
std::string subject_token(const helix::aws::Credentials &c, const TokenSpec &spec = {}) {
    const auto parts = helix::aws::split_url(spec.url);
    BOOST_TEST_REQUIRE(parts.has_value());
    std::vector<helix::aws::HttpHeader> headers{{"x-goog-cloud-target-resource", spec.target}};
    helix::aws::SigningOptions o;
    o.region = spec.region;
    o.service = "sts";
    o.time = std::chrono::sys_seconds(std::chrono::seconds(spec.signed_at));
    const auto signature = helix::aws::sign({"POST", parts->path, parts->query, parts->host, headers, "", ""}, c, o);
    BOOST_TEST_REQUIRE(signature.ok(), signature.error);
    helix::aws::apply_signature(headers, signature);
    json::array list;
    for (const auto &h : headers) list.push_back(json::object{{"key", h.name}, {"value", h.value}});
    return helix::plugin_common::percent_encode(
        json::serialize(json::object{{"url", spec.url}, {"method", spec.method}, {"headers", list}}));
}

vertex::HttpReply exchange(const std::string &token, const std::string &audience = kAudience) {
    static const vertex::AccessTokens tokens(600, "fed-secret");
    vertex::FederationSettings s;
    s.subject_token = "only-this-oidc-token"; // not what an AWS token is compared with
    const std::string form = "grant_type=" + gcp::form_encode("urn:ietf:params:oauth:grant-type:token-exchange") +
                             "&audience=" + gcp::form_encode(audience) + "&scope=" + gcp::form_encode(gcp::kCloudPlatformScope) +
                             "&requested_token_type=" + gcp::form_encode("urn:ietf:params:oauth:token-type:access_token") +
                             "&subject_token_type=" + gcp::form_encode("urn:ietf:params:aws:token-type:aws4_request") +
                             "&subject_token=" + gcp::form_encode(token);
    return vertex::sts_token_exchange(form, s, tokens, kNow);
}

std::string description(const vertex::HttpReply &r) {
    const json::object o = json::parse(r.body).as_object();
    return std::string(o.at("error").as_string()) + ": " + std::string(o.at("error_description").as_string());
}

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(a_signed_get_caller_identity_is_exchanged_for_a_token) {
    Aws aws;
    const auto ok = exchange(subject_token({"AKIDLONGTERM", "long-term-secret", ""}));
    BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
    BOOST_TEST(json::parse(ok.body).at("token_type").as_string() == "Bearer");
    // Instance-role credentials (with their session token) from the simulated IMDS.
    const auto role = aws.store.issue("imds", "arn:aws:iam::123456789012:role/helix-sim-role", kNow);
    TokenSpec regional;
    regional.url = "https://sts.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
    BOOST_TEST(exchange(subject_token({role.access_key_id, role.secret_access_key, role.session_token}, regional)).status == 200);
    // The header may carry the audience with https: (the libraries send either).
    TokenSpec https;
    https.target = "https:" + kAudience;
    BOOST_TEST(exchange(subject_token({"AKIDLONGTERM", "long-term-secret", ""}, https)).status == 200);
}

BOOST_AUTO_TEST_CASE(what_google_refuses_before_and_after_asking_aws) {
    Aws aws;
    const helix::aws::Credentials good{"AKIDLONGTERM", "long-term-secret", ""};
    const auto refused = [&](const std::string &token, std::string_view expected, const std::string &audience = kAudience) {
        const auto r = exchange(token, audience);
        BOOST_TEST(r.status == 400);
        BOOST_TEST(contains(description(r), expected), description(r));
    };
    refused("not-json", "invalid_request");
    refused(helix::plugin_common::percent_encode(R"({"url":"x","method":"POST"})"), "url, method and headers");
    TokenSpec spec;
    spec.target = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/other/providers/aws";
    refused(subject_token(good, spec), "x-goog-cloud-target-resource");
    refused(subject_token(good), "x-goog-cloud-target-resource",
            "//iam.googleapis.com/projects/2/locations/global/workloadIdentityPools/p/providers/aws");
    spec = {};
    spec.url = "https://attacker.example.com?Action=GetCallerIdentity&Version=2011-06-15";
    refused(subject_token(good, spec), "not an AWS STS endpoint");
    spec.url = "http://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
    refused(subject_token(good, spec), "not an AWS STS endpoint");
    spec.url = "https://sts.us-east-1.amazonaws.com?Action=AssumeRole&Version=2011-06-15";
    refused(subject_token(good, spec), "GetCallerIdentity");
    spec = {};
    spec.method = "GET";
    refused(subject_token(good, spec), "POST");
    // AWS's own verdicts.
    refused(subject_token({"AKIDLONGTERM", "wrong-secret", ""}), "SignatureDoesNotMatch");
    refused(subject_token({"AKIDUNKNOWN", "x", ""}), "InvalidClientTokenId");
    spec = {};
    spec.signed_at = kNow - 3600; // a captured token replayed an hour later
    refused(subject_token(good, spec), "invalid_grant");
    spec = {};
    spec.region = "eu-west-1"; // signed for another region than the host's
    refused(subject_token(good, spec), "invalid_grant");
    const auto expired = aws.store.issue("imds", "arn:aws:iam::123456789012:role/helix-sim-role", kNow - 7200, 3600);
    refused(subject_token({expired.access_key_id, expired.secret_access_key, expired.session_token}), "ExpiredToken");
}

BOOST_AUTO_TEST_CASE(without_the_simulated_aws_nothing_verifies) {
    const auto r = exchange(subject_token({"AKIDLONGTERM", "long-term-secret", ""}));
    BOOST_TEST(r.status == 400);
    BOOST_TEST(contains(description(r), "bedrock listener"), description(r));
}

BOOST_AUTO_TEST_CASE(get_caller_identity_names_the_signer) {
    Aws aws;
    const auto role = aws.store.issue("imds", "arn:aws:iam::210987654321:role/gw-role", kNow);
    std::vector<helix::aws::HttpHeader> headers;
    helix::aws::SigningOptions o;
    o.region = "us-east-1";
    o.service = "sts";
    o.time = std::chrono::sys_seconds(std::chrono::seconds(kNow));
    const std::string query = "Action=GetCallerIdentity&Version=2011-06-15";
    const auto signature = helix::aws::sign({"POST", "/", query, "sts.amazonaws.com", headers, "", ""},
                                            {role.access_key_id, role.secret_access_key, role.session_token}, o);
    BOOST_TEST_REQUIRE(signature.ok(), signature.error);
    helix::aws::apply_signature(headers, signature);
    aws_credentials::EndpointRequest request{"POST", "/", query,
                                             [&](std::string_view name) -> std::optional<std::string> {
                                                 for (const auto &h : headers)
                                                     if (h.name == name || (name == "Host" && h.name == "host"))
                                                         return h.value;
                                                 return std::nullopt;
                                             },
                                             "", headers};
    const auto reply = aws_credentials::call_process_sts(request, kNow);
    BOOST_TEST_REQUIRE(reply.has_value());
    BOOST_TEST(reply->status == 200, reply->body);
    BOOST_TEST(contains(reply->body, "<Arn>arn:aws:sts::210987654321:assumed-role/gw-role/helix-sim</Arn>"), reply->body);
    BOOST_TEST(contains(reply->body, "<Account>210987654321</Account>"));
}
