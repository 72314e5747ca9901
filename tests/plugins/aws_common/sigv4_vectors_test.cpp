// Every SigV4 vector in testdata/sigv4 (see its README for the sources and
// the errata applied here), one Boost.Test case per vector, named after it:
//   aws_sig_v4_test_suite/<case>  34 cases: .creq, .sts, .authz, .sreq
//   aws_c_auth_v4/<case>          38 cases: header-canonical-request,
//                                 header-string-to-sign, header-signature,
//                                 header-signed-request
//   smithy_rs_extra/<case>        2 cases (double-encoded paths)
// Each case also runs the verifier over the vector's own signed request (not
// over ours), so the verifier is checked against the suites independently.
#define BOOST_TEST_MODULE plugins_aws_common_sigv4_vectors
#include <boost/test/unit_test.hpp>

#include "plugins/aws_common/sigv4.hpp"
#include "test_support.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

using namespace helix::aws;
using namespace helix::aws::test;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kAccessKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fs::path sigv4_dir() { return testdata_dir() / "sigv4"; }

std::chrono::sys_seconds amz_time(std::string_view text) {
    const auto t = parse_amz_date(text);
    if (!t) throw std::runtime_error("bad amz date in a vector: " + std::string(text));
    return *t;
}

// Headers as a sorted list of (lowercase name, value): the suites print the
// signed request with their own header order and name case.
std::vector<std::pair<std::string, std::string>> header_set(const std::vector<HttpHeader> &headers) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto &h : headers) out.emplace_back(lowercase(h.name), h.value);
    std::sort(out.begin(), out.end());
    return out;
}

// Our signed request (the input plus headers_to_add) against the suite's.
void check_signed_request(const TextRequest &input, const SigningResult &result, const TextRequest &expected) {
    std::vector<HttpHeader> headers = input.headers;
    apply_signature(headers, result);
    BOOST_TEST(input.method == expected.method);
    BOOST_TEST(input.path == expected.path);
    BOOST_TEST(input.query == expected.query);
    BOOST_TEST(input.body == expected.body);
    const auto ours = header_set(headers);
    const auto theirs = header_set(expected.headers);
    BOOST_TEST(ours.size() == theirs.size());
    for (std::size_t i = 0; i < std::min(ours.size(), theirs.size()); ++i) {
        BOOST_TEST_CONTEXT("signed request header " << i) {
            BOOST_TEST(ours[i].first == theirs[i].first);
            BOOST_TEST(ours[i].second == theirs[i].second);
        }
    }
}

VerifyResult verify_text(const TextRequest &req, std::string_view akid, std::string_view secret,
                         std::string_view token, std::chrono::sys_seconds now, bool normalize,
                         bool require_signed_token) {
    ReceivedRequest received{req.method, req.path, req.query, req.headers, req.body};
    VerifyOptions options;
    options.now = now;
    options.normalize_path = normalize;
    options.require_signed_session_token = require_signed_token;
    const std::string key(akid);
    VerifierSecret found{std::string(secret), std::string(token)};
    auto lookup = [&](std::string_view id) -> std::optional<VerifierSecret> {
        if (id == key) return found;
        return std::nullopt;
    };
    return verify(received, lookup, options);
}

// The value on the "name:value" line of a canonical request.
std::string creq_header(const std::string &creq, std::string_view name) {
    const std::string prefix = "\n" + std::string(name) + ":";
    const std::size_t at = creq.find(prefix);
    if (at == std::string::npos) return {};
    const std::size_t start = at + prefix.size();
    return creq.substr(start, creq.find('\n', start) - start);
}

// ---------------------------------------------------------------------------
// 1. aws-sig-v4-test-suite

void run_aws_sig_v4_case(const fs::path &dir) {
    const std::string leaf = dir.filename().string();
    auto file = [&](std::string_view ext) { return read_file(dir / (leaf + std::string(ext))); };
    const TextRequest req = parse_text_request(file(".req"));
    const std::string creq = file(".creq");
    const TextRequest sreq = parse_text_request(file(".sreq"));

    Credentials creds{std::string(kAccessKeyId), std::string(kSecret), ""};
    SigningOptions options;
    options.region = "us-east-1";
    options.service = "service";
    options.time = amz_time(header_value(req.headers, "X-Amz-Date"));
    bool token_signed = true;
    if (leaf == "get-vanilla-with-session-token") {
        // No token in the .req; the expected files show it (README).
        creds.session_token = creq_header(creq, "x-amz-security-token");
    } else if (leaf == "post-sts-header-before") {
        creds.session_token = header_value(req.headers, "X-Amz-Security-Token");
    } else if (leaf == "post-sts-header-after") {
        creds.session_token = header_value(sreq.headers, "X-Amz-Security-Token");
        options.session_token = SessionTokenMode::append_unsigned;
        token_signed = false;
    }

    const SigningResult result =
        sign({req.method, req.path, req.query, "", req.headers, req.body, ""}, creds, options);
    BOOST_TEST_REQUIRE(result.ok(), result.error);
    BOOST_TEST(result.canonical_request == creq);
    BOOST_TEST(result.string_to_sign == file(".sts"));
    BOOST_TEST(result.authorization == file(".authz"));

    const VerifyResult verified =
        verify_text(sreq, kAccessKeyId, kSecret, creds.session_token, options.time, true, token_signed);
    if (leaf == "get-vanilla-with-session-token") {
        // Erratum: this .sreq carries get-vanilla's signature; compare only
        // .creq, .sts and .authz, and the verifier must refuse the .sreq.
        BOOST_TEST(verified.error == VerifyError::signature_mismatch, to_string(verified.error));
        return;
    }
    check_signed_request(req, result, sreq);
    BOOST_TEST(verified.ok(), to_string(verified.error) << ": " << verified.message);
}

std::vector<fs::path> aws_sig_v4_cases() {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(sigv4_dir() / "aws-sig-v4-test-suite", ec), end; !ec && it != end;
         it.increment(ec))
        if (it->path().extension() == ".req") out.push_back(it->path().parent_path());
    std::sort(out.begin(), out.end());
    return out;
}

// ---------------------------------------------------------------------------
// 2. aws-c-auth-v4

void run_aws_c_auth_case(const fs::path &dir) {
    const auto ctx = boost::json::parse(read_file(dir / "context.json")).as_object();
    const auto &cred = ctx.at("credentials").as_object();
    Credentials creds{std::string(cred.at("access_key_id").as_string()),
                      std::string(cred.at("secret_access_key").as_string()), ""};
    if (const auto *t = cred.if_contains("token")) creds.session_token = std::string(t->as_string());
    std::string stamp(ctx.at("timestamp").as_string()); // 2015-08-30T12:36:00Z
    std::erase_if(stamp, [](char c) { return c == '-' || c == ':'; });
    const std::string region(ctx.at("region").as_string());
    const std::string service(ctx.at("service").as_string());
    const bool omit_token = ctx.contains("omit_session_token") && ctx.at("omit_session_token").as_bool();

    SigningOptions options;
    options.region = region;
    options.service = service;
    options.time = amz_time(stamp);
    options.normalize_path = ctx.at("normalize").as_bool();
    options.double_encode_path = true;
    options.add_content_sha256 = ctx.at("sign_body").as_bool();
    options.session_token = omit_token ? SessionTokenMode::append_unsigned : SessionTokenMode::sign;

    const TextRequest req = parse_text_request(read_file(dir / "request.txt"));
    const TextRequest sreq = parse_text_request(read_file(dir / "header-signed-request.txt"));
    const SigningResult result =
        sign({req.method, req.path, req.query, "", req.headers, req.body, ""}, creds, options);
    BOOST_TEST_REQUIRE(result.ok(), result.error);
    BOOST_TEST(result.canonical_request == read_file(dir / "header-canonical-request.txt"));
    BOOST_TEST(result.string_to_sign == read_file(dir / "header-string-to-sign.txt"));
    BOOST_TEST(result.signature == read_file(dir / "header-signature.txt"));
    BOOST_TEST(result.authorization == header_value(sreq.headers, "Authorization"));
    check_signed_request(req, result, sreq);

    const VerifyResult verified = verify_text(sreq, creds.access_key_id, creds.secret_access_key, creds.session_token,
                                              options.time, options.normalize_path, !omit_token);
    BOOST_TEST(verified.ok(), to_string(verified.error) << ": " << verified.message);
}

std::vector<fs::path> aws_c_auth_cases() {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(sigv4_dir() / "aws-c-auth-v4", ec), end; !ec && it != end; it.increment(ec))
        if (fs::exists(it->path() / "context.json")) out.push_back(it->path());
    std::sort(out.begin(), out.end());
    return out;
}

// ---------------------------------------------------------------------------
// 3. smithy-rs-extra

void run_double_url_encode() {
    const fs::path dir = sigv4_dir() / "smithy-rs-extra" / "double-url-encode";
    const TextRequest req = parse_text_request(read_file(dir / "request.txt"));
    const TextRequest sreq = parse_text_request(read_file(dir / "header-signed-request.txt"));
    SigningOptions options;
    options.region = "us-east-2";
    options.service = "lambda";
    options.time = amz_time("20210511T154045Z");
    const Credentials creds{std::string(kAccessKeyId), std::string(kSecret), ""};
    const SigningResult result =
        sign({req.method, req.path, req.query, "", req.headers, req.body, ""}, creds, options);
    BOOST_TEST_REQUIRE(result.ok(), result.error);
    BOOST_TEST(result.canonical_request == read_file(dir / "header-canonical-request.txt"));
    // Erratum: the file ends with a newline the string to sign does not have.
    std::string sts = read_file(dir / "header-string-to-sign.txt");
    BOOST_TEST_REQUIRE(sts.ends_with('\n'));
    sts.pop_back();
    BOOST_TEST(result.string_to_sign == sts);
    BOOST_TEST(result.signature == "4b93abbcc68be32bd64c18e2c71150660ab4c29bbd6c32a383a7517a88fc1804");
    BOOST_TEST(result.authorization == header_value(sreq.headers, "Authorization"));
    BOOST_TEST(result.canonical_request.find("arn%253Aaws%253Alambda") != std::string::npos);
    check_signed_request(req, result, sreq);
    const VerifyResult verified = verify_text(sreq, kAccessKeyId, kSecret, "", options.time, true, true);
    BOOST_TEST(verified.ok(), to_string(verified.error) << ": " << verified.message);
}

void run_double_encode_path() {
    const fs::path dir = sigv4_dir() / "smithy-rs-extra" / "double-encode-path";
    const TextRequest req = parse_text_request(read_file(dir / "request.txt"));
    // Erratum: the canonical request was made at 20210511T154045Z although
    // request.txt carries X-amz-date 20150830T123600Z; the signer replaces it.
    {
        SigningOptions options;
        options.region = "us-east-1";
        options.service = "service";
        options.time = amz_time("20210511T154045Z");
        const SigningResult result = sign({req.method, req.path, req.query, "", req.headers, req.body, ""},
                                          {std::string(kAccessKeyId), std::string(kSecret), ""}, options);
        BOOST_TEST_REQUIRE(result.ok(), result.error);
        BOOST_TEST(result.canonical_request == read_file(dir / "header-canonical-request.txt"));
        std::vector<HttpHeader> headers = req.headers;
        apply_signature(headers, result);
        BOOST_TEST(std::count_if(headers.begin(), headers.end(),
                                 [](const HttpHeader &h) { return lowercase(h.name) == "x-amz-date"; }) == 1);
    }
    // Its header-signed-request.txt reproduces with smithy-rs's test
    // credentials at the request's own time.
    {
        const TextRequest sreq = parse_text_request(read_file(dir / "header-signed-request.txt"));
        SigningOptions options;
        options.region = "us-east-1";
        options.service = "service";
        options.time = amz_time("20150830T123600Z");
        const Credentials creds{"ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby", ""};
        const SigningResult result =
            sign({req.method, req.path, req.query, "", req.headers, req.body, ""}, creds, options);
        BOOST_TEST_REQUIRE(result.ok(), result.error);
        BOOST_TEST(result.canonical_request.find("\n/test/%40connections/JBDvjfGEIAMCERw%253D\n") != std::string::npos);
        BOOST_TEST(result.signature == "57d157672191bac40bae387e48bbe14b15303c001fdbb01f4abf295dccb09705");
        BOOST_TEST(result.authorization == header_value(sreq.headers, "Authorization"));
        check_signed_request(req, result, sreq);
        const VerifyResult verified =
            verify_text(sreq, creds.access_key_id, creds.secret_access_key, "", options.time, true, true);
        BOOST_TEST(verified.ok(), to_string(verified.error) << ": " << verified.message);
    }
}

// ---------------------------------------------------------------------------
// Registration: one test case per vector directory.

std::string case_name(const fs::path &dir, const fs::path &root) {
    std::string name = fs::relative(dir, root).generic_string();
    std::replace(name.begin(), name.end(), '/', '_');
    return name;
}

struct RegisterVectors {
    RegisterVectors() {
        namespace utf = boost::unit_test;
        auto &master = utf::framework::master_test_suite();

        auto *suite1 = BOOST_TEST_SUITE("aws_sig_v4_test_suite");
        const fs::path root1 = sigv4_dir() / "aws-sig-v4-test-suite";
        for (const auto &dir : aws_sig_v4_cases())
            suite1->add(utf::make_test_case([dir] { run_aws_sig_v4_case(dir); }, case_name(dir, root1), __FILE__,
                                            __LINE__));
        master.add(suite1);

        auto *suite2 = BOOST_TEST_SUITE("aws_c_auth_v4");
        const fs::path root2 = sigv4_dir() / "aws-c-auth-v4";
        for (const auto &dir : aws_c_auth_cases())
            suite2->add(
                utf::make_test_case([dir] { run_aws_c_auth_case(dir); }, case_name(dir, root2), __FILE__, __LINE__));
        master.add(suite2);

        auto *suite3 = BOOST_TEST_SUITE("smithy_rs_extra");
        suite3->add(utf::make_test_case(&run_double_url_encode, "double-url-encode", __FILE__, __LINE__));
        suite3->add(utf::make_test_case(&run_double_encode_path, "double-encode-path", __FILE__, __LINE__));
        master.add(suite3);
    }
} const register_vectors;

} // namespace

// The data must be there: a missing directory would otherwise register no
// cases and pass.
BOOST_AUTO_TEST_CASE(every_vector_is_registered) {
    BOOST_TEST(aws_sig_v4_cases().size() == 34u);
    BOOST_TEST(aws_c_auth_cases().size() == 38u);
    BOOST_TEST(fs::exists(sigv4_dir() / "smithy-rs-extra" / "double-url-encode" / "request.txt"));
    BOOST_TEST(fs::exists(sigv4_dir() / "smithy-rs-extra" / "double-encode-path" / "request.txt"));
}
