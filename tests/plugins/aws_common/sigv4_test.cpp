// The SigV4 signer's options and the verifier's refusals (the vectors are in
// sigv4_vectors_test.cpp): a Bedrock request signed as the plugin will sign
// it, then verified as the simulator will verify it, and tampered with.
#define BOOST_TEST_MODULE plugins_aws_common_sigv4
#include <boost/test/unit_test.hpp>

#include "plugins/aws_common/sigv4.hpp"
#include "test_support.hpp"

#include <string>
#include <vector>

using namespace helix::aws;
using namespace helix::aws::test;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kModelPath = "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse";
constexpr std::string_view kBody = R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}]})";

std::chrono::sys_seconds t0() { return parse_amz_date("20240301T120000Z").value(); }

const Credentials &temporary_credentials() {
    static const Credentials c{"ASIAEXAMPLE", "secret/with+chars", "FwoGZXIvYXdzEXAMPLETOKEN//="};
    return c;
}

// A signed Bedrock Converse request, as the plugin would send it.
struct SignedRequest {
    std::string method = "POST";
    std::string path = std::string(kModelPath);
    std::string query;
    std::vector<HttpHeader> headers;
    std::string body = std::string(kBody);
    SigningResult result;
};

SignedRequest bedrock_request(const Credentials &creds = temporary_credentials(), bool content_sha = true) {
    SignedRequest r;
    const auto url = split_url("https://bedrock-runtime.us-east-1.amazonaws.com" + r.path).value();
    r.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}, {"User-Agent", "helixagent/0.1"}};
    SigningOptions options;
    options.region = "us-east-1";
    options.service = "bedrock";
    options.time = t0();
    options.add_content_sha256 = content_sha;
    r.result = sign({r.method, url.path, url.query, url.host, r.headers, r.body, ""}, creds, options);
    apply_signature(r.headers, r.result);
    return r;
}

struct Server {
    VerifyOptions options;
    std::vector<std::pair<std::string, VerifierSecret>> keys;

    Server() {
        options.region = "us-east-1";
        options.service = "bedrock";
        options.now = t0();
        const auto &c = temporary_credentials();
        keys.push_back({c.access_key_id, {c.secret_access_key, c.session_token}});
        keys.push_back({"AKIDLONGTERM", {"long-term-secret", ""}});
    }

    VerifyResult check(const SignedRequest &r) const {
        auto lookup = [this](std::string_view id) -> std::optional<VerifierSecret> {
            for (const auto &[k, v] : keys)
                if (k == id) return v;
            return std::nullopt;
        };
        return verify({r.method, r.path, r.query, r.headers, r.body}, lookup, options);
    }
};

HttpHeader *find_header(std::vector<HttpHeader> &headers, std::string_view name) {
    for (auto &h : headers)
        if (lowercase(h.name) == lowercase(name)) return &h;
    return nullptr;
}

void set_authorization(SignedRequest &r, const std::string &value) { find_header(r.headers, "authorization")->value = value; }

} // namespace

// ---------------------------------------------------------------------------
// Signing

BOOST_AUTO_TEST_CASE(bedrock_request_is_double_encoded_and_signs_the_token) {
    const SignedRequest r = bedrock_request();
    BOOST_TEST_REQUIRE(r.result.ok(), r.result.error);
    const std::string &creq = r.result.canonical_request;
    BOOST_TEST(creq.starts_with("POST\n/model/anthropic.claude-3-sonnet-20240229-v1%253A0/converse\n\n"));
    BOOST_TEST(r.result.signed_headers ==
               "accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
    BOOST_TEST(creq.find("\nhost:bedrock-runtime.us-east-1.amazonaws.com\n") != std::string::npos);
    BOOST_TEST(creq.find("user-agent") == std::string::npos); // never signed
    BOOST_TEST(r.result.payload_hash == sha256_hex(kBody));
    BOOST_TEST(creq.ends_with("\n" + sha256_hex(kBody)));
    BOOST_TEST(r.result.credential_scope == "20240301/us-east-1/bedrock/aws4_request");
    BOOST_TEST(r.result.authorization.starts_with(
        "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240301/us-east-1/bedrock/aws4_request, SignedHeaders="));
    // Headers to add, in the documented order.
    std::vector<std::string> names;
    for (const auto &h : r.result.headers_to_add) names.push_back(h.name);
    BOOST_TEST((names == std::vector<std::string>{"host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
                                                  "authorization"}));
    BOOST_TEST(header_value(r.headers, "x-amz-security-token") == temporary_credentials().session_token);
    BOOST_TEST(Server().check(r).ok());
}

BOOST_AUTO_TEST_CASE(model_arn_slash_is_encoded_twice) {
    BOOST_TEST(canonical_uri("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/converse", true,
                             true) ==
               "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A1%253Ainference-profile%252Fus.x/converse");
    BOOST_TEST(canonical_uri("/a%3Ab", true, false) == "/a%3Ab");
}

BOOST_AUTO_TEST_CASE(path_normalization) {
    BOOST_TEST(canonical_uri("", true, true) == "/");
    BOOST_TEST(canonical_uri("", false, true) == "/");
    BOOST_TEST(canonical_uri("/a/b/../c/./d//", true, true) == "/a/c/d/");
    BOOST_TEST(canonical_uri("/../..", true, true) == "/");
    BOOST_TEST(canonical_uri("/a/b/.", true, true) == "/a/b");
    BOOST_TEST(canonical_uri("/a//b", false, true) == "/a//b");
}

BOOST_AUTO_TEST_CASE(query_canonicalization) {
    BOOST_TEST(canonical_query("") == "");
    BOOST_TEST(canonical_query("b=2&a=1&a=0") == "a=0&a=1&b=2");
    BOOST_TEST(canonical_query("flag&x=") == "flag=&x=");
    BOOST_TEST(canonical_query("a=%7e%2F&&sp=a%20b") == "a=~%2F&sp=a%20b");
    BOOST_TEST(canonical_query("p=a+b") == "p=a%2Bb");    // '+' is a plus sign
    BOOST_TEST(canonical_query("bad=%zz%4") == "bad=%25zz%254"); // broken escapes stay literal
    BOOST_TEST(canonical_query("Param-3=x&Param=y") == "Param=y&Param-3=x"); // by name, then value
}

BOOST_AUTO_TEST_CASE(header_values_are_trimmed_and_collapsed) {
    BOOST_TEST(canonical_header_value("  a   b\t\tc  ") == "a b c");
    BOOST_TEST(canonical_header_value("value1\n  value2\r\n value3") == "value1 value2 value3");
    BOOST_TEST(canonical_header_value("") == "");
}

BOOST_AUTO_TEST_CASE(precomputed_and_unsigned_payloads) {
    SigningOptions options;
    options.region = "us-east-1";
    options.service = "bedrock";
    options.time = t0();
    options.add_content_sha256 = true;
    const Credentials creds{"AKID", "secret", ""};
    const std::string hash = sha256_hex("body");
    auto a = sign({"POST", "/", "", "h", {}, "ignored", hash}, creds, options);
    auto b = sign({"POST", "/", "", "h", {}, "body", ""}, creds, options);
    BOOST_TEST(a.signature == b.signature);
    auto u = sign({"POST", "/", "", "h", {}, "body", kUnsignedPayload}, creds, options);
    BOOST_TEST(u.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    BOOST_TEST(header_value(u.headers_to_add, "x-amz-content-sha256") == "UNSIGNED-PAYLOAD");
}

BOOST_AUTO_TEST_CASE(header_selection) {
    SigningOptions options;
    options.region = "r";
    options.service = "s";
    options.time = t0();
    const Credentials creds{"AKID", "secret", ""};
    const std::vector<HttpHeader> headers = {{"Host", "h"},          {"X-Custom", "1"},   {"Connection", "keep-alive"},
                                             {"Sec-Fetch-Mode", "x"}, {"Proxy-Auth", "y"}, {"X-Amzn-Trace-Id", "z"},
                                             {"Amz-Sdk-Request", "attempt=1"}};
    auto all = sign({"GET", "/", "", "", headers, "", ""}, creds, options);
    BOOST_TEST(all.signed_headers == "amz-sdk-request;host;x-amz-date;x-custom");
    BOOST_TEST(all.headers_to_add.front().name == "x-amz-date"); // Host was already there
    options.sign_header = [](std::string_view n) { return n == "connection"; };
    auto custom = sign({"GET", "/", "", "", headers, "", ""}, creds, options);
    BOOST_TEST(custom.signed_headers == "connection;host;x-amz-date"); // host and x-amz-date always
}

BOOST_AUTO_TEST_CASE(signer_replaces_its_own_headers) {
    SigningOptions options;
    options.region = "r";
    options.service = "s";
    options.time = t0();
    options.add_content_sha256 = true;
    const Credentials creds{"AKID", "secret", "tok"};
    std::vector<HttpHeader> headers = {{"host", "h"},
                                       {"X-Amz-Date", "19990101T000000Z"},
                                       {"x-amz-security-token", "old"},
                                       {"X-AMZ-CONTENT-SHA256", "old"},
                                       {"Authorization", "old"},
                                       {"authorization", "older"}};
    const auto r = sign({"GET", "/", "", "", headers, "", ""}, creds, options);
    BOOST_TEST_REQUIRE(r.ok(), r.error);
    BOOST_TEST(r.canonical_request.find("19990101") == std::string::npos);
    BOOST_TEST(r.canonical_request.find("old") == std::string::npos);
    apply_signature(headers, r);
    BOOST_TEST(headers.size() == 5u); // the second Authorization is gone
    BOOST_TEST(header_value(headers, "x-amz-date") == "20240301T120000Z");
    BOOST_TEST(header_value(headers, "authorization") == r.authorization);
    BOOST_TEST(header_value(headers, "x-amz-security-token") == "tok");
}

BOOST_AUTO_TEST_CASE(signing_errors) {
    SigningOptions options;
    options.region = "r";
    options.service = "s";
    options.time = t0();
    BOOST_TEST(!sign({"GET", "/", "", "", {}, "", ""}, {"AKID", "secret", ""}, options).ok()); // no host
    BOOST_TEST(!sign({"GET", "/", "", "h", {}, "", ""}, {"", "secret", ""}, options).ok());
    BOOST_TEST(!sign({"GET", "/", "", "h", {}, "", ""}, {"AKID", "", ""}, options).ok());
    BOOST_TEST(!sign({"", "/", "", "h", {}, "", ""}, {"AKID", "secret", ""}, options).ok());
    const std::vector<HttpHeader> bad = {{"a;b", "x"}};
    BOOST_TEST(!sign({"GET", "/", "", "h", bad, "", ""}, {"AKID", "secret", ""}, options).ok());
    options.service = "";
    BOOST_TEST(!sign({"GET", "/", "", "h", {}, "", ""}, {"AKID", "secret", ""}, options).ok());
}

BOOST_AUTO_TEST_CASE(urls) {
    auto u = split_url("https://bedrock-runtime.us-east-1.amazonaws.com/model/x%3A0/converse?a=1#frag").value();
    BOOST_TEST(u.scheme == "https");
    BOOST_TEST(u.host == "bedrock-runtime.us-east-1.amazonaws.com");
    BOOST_TEST(u.path == "/model/x%3A0/converse");
    BOOST_TEST(u.query == "a=1");
    BOOST_TEST(split_url("http://127.0.0.1:4566").value().host == "127.0.0.1:4566");
    BOOST_TEST(split_url("http://127.0.0.1:4566").value().path == "/");
    BOOST_TEST(split_url("https://Example.com:443/").value().host == "example.com");
    BOOST_TEST(split_url("http://example.com:80?x").value().host == "example.com");
    BOOST_TEST(split_url("http://example.com:80?x").value().query == "x");
    BOOST_TEST(split_url("http://user:pw@[::1]:8080/p").value().host == "[::1]:8080");
    BOOST_TEST(!split_url("/relative"));
    BOOST_TEST(!split_url("http://"));
    BOOST_TEST(!split_url("http://host:port/"));
}

BOOST_AUTO_TEST_CASE(dates) {
    BOOST_TEST(format_amz_date(t0()) == "20240301T120000Z");
    BOOST_TEST(format_amz_date(std::chrono::sys_seconds{}) == "19700101T000000Z");
    BOOST_TEST(!parse_amz_date("20240230T000000Z")); // no 30 February
    BOOST_TEST(!parse_amz_date("20240301T240000Z"));
    BOOST_TEST(!parse_amz_date("2024-03-01T12:00:00Z"));
    BOOST_TEST(!parse_amz_date("20240301T120000"));
    BOOST_TEST(parse_amz_date("20240229T235959Z").has_value());
}

BOOST_AUTO_TEST_CASE(primitives) {
    BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // RFC 4231 test case 2.
    BOOST_TEST(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    BOOST_TEST(uri_encode("a b/~:", true) == "a%20b/~%3A");
    BOOST_TEST(uri_encode("a b/~:", false) == "a%20b%2F~%3A");
    BOOST_TEST(percent_decode("%41%4a%zz%") == "AJ%zz%");
    BOOST_TEST(constant_time_equal("abc", "abc"));
    BOOST_TEST(!constant_time_equal("abc", "abd"));
    BOOST_TEST(!constant_time_equal("abc", "ab"));
}

// ---------------------------------------------------------------------------
// Verifying

BOOST_AUTO_TEST_CASE(long_term_credentials_without_content_sha) {
    // botocore's way: no x-amz-content-sha256, no token.
    const SignedRequest r = bedrock_request({"AKIDLONGTERM", "long-term-secret", ""}, false);
    BOOST_TEST(r.result.signed_headers == "accept;content-type;host;x-amz-date");
    const VerifyResult v = Server().check(r);
    BOOST_TEST(v.ok(), v.error << ": " << v.message);
    BOOST_TEST(v.access_key_id == "AKIDLONGTERM");
    BOOST_TEST(v.region == "us-east-1");
    BOOST_TEST(v.service == "bedrock");
}

BOOST_AUTO_TEST_CASE(tampering_breaks_the_signature) {
    const Server server;
    {
        SignedRequest r = bedrock_request({"AKIDLONGTERM", "long-term-secret", ""}, false);
        r.body += " ";
        const auto v = server.check(r);
        BOOST_TEST(v.error == VerifyError::signature_mismatch);
        BOOST_TEST(v.message.find("The Canonical String for this request should have been") != std::string::npos);
        BOOST_TEST(v.message.find("long-term-secret") == std::string::npos);
        BOOST_TEST(aws_error_code(v.error) == "InvalidSignatureException");
        BOOST_TEST(http_status(v.error) == 403);
    }
    {
        SignedRequest r = bedrock_request();
        r.body += " "; // the signed x-amz-content-sha256 no longer matches
        BOOST_TEST(server.check(r).error == VerifyError::content_sha256_mismatch);
    }
    {
        SignedRequest r = bedrock_request();
        find_header(r.headers, "content-type")->value = "text/plain";
        BOOST_TEST(server.check(r).error == VerifyError::signature_mismatch);
    }
    {
        SignedRequest r = bedrock_request();
        r.path = "/model/anthropic.claude-3-opus-20240229-v1%3A0/converse";
        BOOST_TEST(server.check(r).error == VerifyError::signature_mismatch);
    }
    {
        SignedRequest r = bedrock_request();
        r.method = "PUT";
        BOOST_TEST(server.check(r).error == VerifyError::signature_mismatch);
    }
    {
        SignedRequest r = bedrock_request();
        r.headers.push_back({"User-Agent", "changed"}); // unsigned headers may change
        r.headers.push_back({"X-Extra", "added"});      // and be added
        BOOST_TEST(server.check(r).ok());
    }
    {
        SignedRequest r = bedrock_request();
        r.headers.push_back({"Accept", "text/html"}); // a second value of a signed header
        BOOST_TEST(server.check(r).error == VerifyError::signature_mismatch);
    }
    {
        Server wrong_secret = server;
        wrong_secret.keys[0].second.secret_access_key = "other";
        BOOST_TEST(wrong_secret.check(bedrock_request()).error == VerifyError::signature_mismatch);
    }
}

BOOST_AUTO_TEST_CASE(clock_skew_of_more_than_five_minutes_fails) {
    const SignedRequest r = bedrock_request();
    Server server;
    server.options.now = t0() + 5min;
    BOOST_TEST(server.check(r).ok()); // exactly five minutes is accepted
    server.options.now = t0() - 5min;
    BOOST_TEST(server.check(r).ok());
    server.options.now = t0() + 5min + 1s;
    auto v = server.check(r);
    BOOST_TEST(v.error == VerifyError::request_expired);
    BOOST_TEST(v.message.starts_with("Signature expired: 20240301T120000Z is now earlier than 20240301T120001Z"),
               v.message);
    server.options.now = t0() - 5min - 1s;
    v = server.check(r);
    BOOST_TEST(v.error == VerifyError::request_expired);
    BOOST_TEST(v.message.starts_with("Signature not yet current"), v.message);
    BOOST_TEST(aws_error_code(v.error) == "InvalidSignatureException");
    server.options.max_skew = 15min;
    BOOST_TEST(server.check(r).ok());
}

BOOST_AUTO_TEST_CASE(credentials_and_tokens) {
    Server server;
    {
        const auto v = server.check(bedrock_request({"AKIDUNKNOWN", "x", ""}));
        BOOST_TEST(v.error == VerifyError::unknown_access_key);
        BOOST_TEST(aws_error_code(v.error) == "UnrecognizedClientException");
    }
    {
        Credentials c = temporary_credentials();
        c.session_token = "other-token";
        BOOST_TEST(server.check(bedrock_request(c)).error == VerifyError::invalid_session_token);
        c.session_token.clear();
        BOOST_TEST(server.check(bedrock_request(c)).error == VerifyError::invalid_session_token); // missing
    }
    {
        // A long-term key with a token it does not have.
        BOOST_TEST(server.check(bedrock_request({"AKIDLONGTERM", "long-term-secret", "tok"})).error ==
                   VerifyError::invalid_session_token);
    }
    {
        // The token appended after signing: refused unless allowed.
        SignedRequest r;
        const Credentials &c = temporary_credentials();
        r.headers = {{"host", "bedrock-runtime.us-east-1.amazonaws.com"}};
        SigningOptions options;
        options.region = "us-east-1";
        options.service = "bedrock";
        options.time = t0();
        options.session_token = SessionTokenMode::append_unsigned;
        r.result = sign({r.method, r.path, "", "", r.headers, r.body, ""}, c, options);
        BOOST_TEST(r.result.signed_headers == "host;x-amz-date");
        apply_signature(r.headers, r.result);
        BOOST_TEST(header_value(r.headers, "x-amz-security-token") == c.session_token);
        BOOST_TEST(server.check(r).error == VerifyError::invalid_session_token);
        server.options.require_signed_session_token = false;
        BOOST_TEST(server.check(r).ok());
    }
}

BOOST_AUTO_TEST_CASE(scope_must_match) {
    const SignedRequest r = bedrock_request();
    Server server;
    server.options.region = "eu-west-1";
    BOOST_TEST(server.check(r).error == VerifyError::scope_mismatch);
    server.options.region = "";
    server.options.service = "bedrock-runtime";
    const auto v = server.check(r);
    BOOST_TEST(v.error == VerifyError::scope_mismatch);
    BOOST_TEST(v.message.find("'bedrock-runtime'") != std::string::npos);
    server.options.service = "";
    BOOST_TEST(server.check(r).ok()); // any scope
}

BOOST_AUTO_TEST_CASE(unsigned_payload_is_refused_unless_allowed) {
    SignedRequest r;
    const Credentials &c = temporary_credentials();
    r.headers = {{"host", "h"}};
    SigningOptions options;
    options.region = "us-east-1";
    options.service = "bedrock";
    options.time = t0();
    options.add_content_sha256 = true;
    r.result = sign({r.method, r.path, "", "", r.headers, r.body, kUnsignedPayload}, c, options);
    apply_signature(r.headers, r.result);
    Server server;
    BOOST_TEST(server.check(r).error == VerifyError::content_sha256_mismatch);
    server.options.allow_unsigned_payload = true;
    BOOST_TEST(server.check(r).ok());
    r.body = "anything";
    BOOST_TEST(server.check(r).ok());
}

BOOST_AUTO_TEST_CASE(malformed_authorization_headers) {
    const Server server;
    const SignedRequest good = bedrock_request();
    const std::string auth = good.result.authorization;
    const std::string cred = "Credential=ASIAEXAMPLE/20240301/us-east-1/bedrock/aws4_request";
    const std::string sig = "Signature=" + good.result.signature;
    const std::string sh = "SignedHeaders=" + good.result.signed_headers;
    struct Case {
        std::string value;
        VerifyError expected;
    };
    const std::vector<Case> cases = {
        {"AWS4-HMAC-SHA256", VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", " + sh, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + sh + ", " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", " + cred + ", " + sh + ", " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig + ", Extra=1", VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240301/us-east-1/bedrock, " + sh + ", " + sig,
         VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240301/us-east-1/bedrock/aws5_request, " + sh + ", " + sig,
         VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 Credential=/20240301/us-east-1/bedrock/aws4_request, " + sh + ", " + sig,
         VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/2024031/us-east-1/bedrock/aws4_request, " + sh + ", " + sig,
         VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240302/us-east-1/bedrock/aws4_request, " + sh + ", " + sig,
         VerifyError::malformed_authorization}, // scope date is not x-amz-date's
        {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date;host, " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;host;x-amz-date, " + sig,
         VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host;x-amz-date, " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig, VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-absent;x-amz-date, " + sig,
         VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=", VerifyError::malformed_authorization},
        {"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=00", VerifyError::signature_mismatch},
        {"AWS4-HMAC-SHA1 " + cred + ", " + sh + ", " + sig, VerifyError::unsupported_algorithm},
        {"Bearer abc", VerifyError::unsupported_algorithm},
        {"", VerifyError::malformed_authorization},
        // Spacing the SDKs do not produce but AWS accepts.
        {"AWS4-HMAC-SHA256 " + cred + "," + sh + " ,  " + sig, VerifyError::none},
        {"AWS4-HMAC-SHA256 " + sig + ", " + cred + ", " + sh, VerifyError::none},
    };
    for (const auto &c : cases) {
        BOOST_TEST_CONTEXT(c.value) {
            SignedRequest r = good;
            set_authorization(r, c.value);
            const auto v = server.check(r);
            BOOST_TEST(v.error == c.expected, v.message);
            if (c.expected == VerifyError::malformed_authorization) {
                BOOST_TEST(aws_error_code(v.error) == "IncompleteSignatureException");
                BOOST_TEST(http_status(v.error) == 400);
                BOOST_TEST(!v.message.empty());
            }
        }
    }
    {
        SignedRequest r = good;
        std::erase_if(r.headers, [](const HttpHeader &h) { return lowercase(h.name) == "authorization"; });
        const auto v = server.check(r);
        BOOST_TEST(v.error == VerifyError::missing_authorization);
        BOOST_TEST(aws_error_code(v.error) == "MissingAuthenticationTokenException");
        r.headers.push_back({"Authorization", auth});
        r.headers.push_back({"Authorization", auth});
        BOOST_TEST(server.check(r).error == VerifyError::malformed_authorization);
    }
    {
        SignedRequest r = good;
        find_header(r.headers, "x-amz-date")->value = "2024-03-01T12:00:00Z";
        BOOST_TEST(server.check(r).error == VerifyError::malformed_authorization);
        r.headers.push_back({"X-Amz-Date", "20240301T120000Z"});
        BOOST_TEST(server.check(r).error == VerifyError::malformed_authorization); // twice
    }
}

BOOST_AUTO_TEST_CASE(parse_authorization_fields) {
    std::string why;
    const auto a = parse_authorization(
        "AWS4-HMAC-SHA256 Credential=AK/ID/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=abc",
        &why);
    BOOST_TEST_REQUIRE(a.has_value(), why);
    BOOST_TEST(a->algorithm == "AWS4-HMAC-SHA256");
    BOOST_TEST(a->access_key_id == "AK/ID"); // everything before the last four parts
    BOOST_TEST(a->date == "20150830");
    BOOST_TEST(a->region == "us-east-1");
    BOOST_TEST(a->service == "service");
    BOOST_TEST((a->signed_headers == std::vector<std::string>{"host", "x-amz-date"}));
    BOOST_TEST(a->signature == "abc");
    BOOST_TEST(!parse_authorization("AWS4-HMAC-SHA256 Credential=a/b", &why));
    BOOST_TEST(!why.empty());
}
