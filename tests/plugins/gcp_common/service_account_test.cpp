#define BOOST_TEST_MODULE gcp_common_service_account
#include <boost/test/unit_test.hpp>

#include "plugins/gcp_common/service_account.hpp"

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

using namespace helix::gcp;
namespace json = boost::json;

namespace {

// A service account whose key the test generates (never a real credential).
ServiceAccountKey test_account() {
    static const ServiceAccountKey account = [] {
        std::string error;
        const auto key = RsaKey::generate(2048, error);
        BOOST_TEST_REQUIRE(key.has_value(), error);
        ServiceAccountKey a;
        a.project_id = "test-project";
        a.private_key_id = "0123456789abcdef0123456789abcdef01234567";
        a.private_key = key->private_pem();
        a.client_email = "tester@test-project.iam.gserviceaccount.com";
        a.client_id = "100000000000000000001";
        a.token_uri = "http://127.0.0.1:9/token";
        return a;
    }();
    return account;
}

} // namespace

BOOST_AUTO_TEST_CASE(key_file_round_trip) {
    const auto account = test_account();
    const std::string text = service_account_key_json(account);
    const auto doc = json::parse(text).as_object();
    BOOST_TEST(doc.at("type").as_string() == "service_account");
    BOOST_TEST(doc.at("universe_domain").as_string() == "googleapis.com");
    std::string error;
    const auto parsed = parse_service_account_key(text, error);
    BOOST_TEST_REQUIRE(parsed.has_value(), error);
    BOOST_TEST(parsed->client_email == account.client_email);
    BOOST_TEST(parsed->private_key == account.private_key);
    BOOST_TEST(parsed->private_key_id == account.private_key_id);
    BOOST_TEST(parsed->project_id == "test-project");
    BOOST_TEST(parsed->token_uri == "http://127.0.0.1:9/token");
}

BOOST_AUTO_TEST_CASE(key_file_errors_and_defaults) {
    std::string error;
    BOOST_TEST(!parse_service_account_key("[]", error).has_value());
    BOOST_TEST(!parse_service_account_key(R"({"type":"authorized_user","client_email":"a","private_key":"b"})", error)
                    .has_value());
    BOOST_TEST(error.find("authorized_user") != std::string::npos);
    BOOST_TEST(!parse_service_account_key(R"({"private_key":"b"})", error).has_value());
    BOOST_TEST(error.find("client_email") != std::string::npos);
    BOOST_TEST(!parse_service_account_key(R"({"client_email":"a","private_key":7})", error).has_value());
    const auto minimal = parse_service_account_key(R"({"client_email":"a@b","private_key":"pem"})", error);
    BOOST_TEST_REQUIRE(minimal.has_value(), error);
    BOOST_TEST(minimal->token_uri == std::string(kGoogleTokenUri));
}

BOOST_AUTO_TEST_CASE(assertion_is_signed_and_checkable) {
    const auto account = test_account();
    const std::int64_t now = 1'750'000'000;
    const auto claims = make_assertion_claims(account, kCloudPlatformScope, now);
    BOOST_TEST(claims.iss == account.client_email);
    BOOST_TEST(claims.aud == account.token_uri);
    BOOST_TEST(claims.exp - claims.iat == 3600);

    std::string error;
    const auto assertion = sign_assertion(account, claims, error);
    BOOST_TEST_REQUIRE(assertion.has_value(), error);

    // The verifier's side: the public key, the claims, Google's checks.
    const auto pub = RsaKey::from_public_pem(account.private_key, error);
    BOOST_TEST_REQUIRE(pub.has_value(), error);
    const auto jwt = verify_jwt_rs256(*assertion, *pub, error);
    BOOST_TEST_REQUIRE(jwt.has_value(), error);
    BOOST_TEST(string_claim(jwt->header, "kid").value_or("") == account.private_key_id);
    const auto read = assertion_claims(jwt->claims, error);
    BOOST_TEST_REQUIRE(read.has_value(), error);
    BOOST_TEST(read->scope == std::string(kCloudPlatformScope));
    BOOST_TEST(!read->sub.has_value());

    const std::vector<std::string> audiences{account.token_uri, std::string(kGoogleTokenUri)};
    BOOST_TEST(!check_assertion_claims(*read, now, audiences).has_value());
    BOOST_TEST(!check_assertion_claims(*read, now + 3000, audiences).has_value());

    auto expired = *read;
    const auto late = check_assertion_claims(expired, now + 3600 + 301, audiences);
    BOOST_TEST_REQUIRE(late.has_value());
    BOOST_TEST(late->error == "invalid_grant");
    BOOST_TEST(late->description.find("iat and exp") != std::string::npos);

    auto too_long = *read;
    too_long.exp = too_long.iat + 7200;
    BOOST_TEST(check_assertion_claims(too_long, now, audiences).has_value());

    auto future = *read;
    future.iat = now + 1000;
    future.exp = now + 2000;
    BOOST_TEST(check_assertion_claims(future, now, audiences).has_value());

    auto wrong_aud = *read;
    wrong_aud.aud = "https://example.com/token";
    const auto aud_error = check_assertion_claims(wrong_aud, now, audiences);
    BOOST_TEST_REQUIRE(aud_error.has_value());
    BOOST_TEST(aud_error->description.find("audience") != std::string::npos);

    auto no_scope = *read;
    no_scope.scope.clear();
    const auto scope_error = check_assertion_claims(no_scope, now, audiences);
    BOOST_TEST_REQUIRE(scope_error.has_value());
    BOOST_TEST(scope_error->error == "invalid_scope");

    BOOST_TEST(!assertion_claims(json::parse(R"({"iss":"a","aud":"b","iat":"x","exp":1})").as_object(), error));
    BOOST_TEST(error.find("iat") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(delegation_subject) {
    auto claims = make_assertion_claims(test_account(), "s1 s2", 100, 600);
    claims.sub = "user@example.com";
    const auto obj = claims_object(claims);
    BOOST_TEST(obj.at("sub").as_string() == "user@example.com");
    BOOST_TEST(obj.at("exp").as_int64() == 700);
    std::string error;
    const auto back = assertion_claims(obj, error);
    BOOST_TEST_REQUIRE(back.has_value(), error);
    BOOST_TEST(back->sub.value_or("") == "user@example.com");
    BOOST_TEST(back->scope == "s1 s2");
}

BOOST_AUTO_TEST_CASE(form_encoding) {
    BOOST_TEST(form_encode("a b/c:d~e.f_g-h") == "a%20b%2Fc%3Ad~e.f_g-h");
    BOOST_TEST(form_decode("a+b%2Fc%3a").value_or("") == "a b/c:");
    BOOST_TEST(!form_decode("%zz").has_value());
    BOOST_TEST(!form_decode("%2").has_value());
    const std::string body = token_request_body("h.c.s");
    BOOST_TEST(body == "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=h.c.s");
    const auto form = parse_form(body + "&&empty=&flag&grant_type=second");
    BOOST_TEST_REQUIRE(form.has_value());
    BOOST_TEST(form->at("grant_type") == std::string(kJwtBearerGrantType));
    BOOST_TEST(form->at("assertion") == "h.c.s");
    BOOST_TEST(form->at("empty").empty());
    BOOST_TEST(form->contains("flag"));
    BOOST_TEST(!parse_form("a=%G0").has_value());
}

BOOST_AUTO_TEST_CASE(token_responses) {
    std::string error;
    const auto token = parse_token_response(R"({"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"})", error);
    BOOST_TEST_REQUIRE(token.has_value(), error);
    BOOST_TEST(token->access_token == "ya29.x");
    BOOST_TEST(token->expires_in == 3599);
    // Azure's managed identity writes numbers as strings.
    const auto azure = parse_token_response(R"({"access_token":"e","expires_in":"86399","token_type":"Bearer"})", error);
    BOOST_TEST_REQUIRE(azure.has_value(), error);
    BOOST_TEST(azure->expires_in == 86399);
    BOOST_TEST(!parse_token_response(R"({"expires_in":1})", error).has_value());
    BOOST_TEST(!parse_token_response(R"({"access_token":"a"})", error).has_value());
    BOOST_TEST(!parse_token_response(R"({"access_token":"a","expires_in":"soon"})", error).has_value());
    BOOST_TEST(!parse_token_response("nope", error).has_value());
}
