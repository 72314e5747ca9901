// Fuzz target for the SigV4 verifier, which reads untrusted requests (the
// Authorization header above all). The input is a request in the suites'
// text form ("METHOD target HTTP/1.1", header lines, a blank line, the
// body); the corpus in corpus/sigv4_verify is seeded with the suites'
// requests and signed requests. Checked on every input:
//   * parse_authorization() and verify() never crash and stay consistent;
//   * sign-then-verify round trip: whatever request the text describes, once
//     signed (temporary credentials, x-amz-content-sha256) it verifies, and a
//     changed body no longer does.
#include "plugins/aws_common/sigv4.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace helix::aws;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

const Credentials kTemporary{"ASIAFUZZ", "fuzz-secret", "fuzz-token"};

std::optional<VerifierSecret> lookup(std::string_view id) {
    if (id == "AKIDEXAMPLE") return VerifierSecret{"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
    if (id == "ANOTREAL") return VerifierSecret{"notrealrnrELgWzOk3IfjzDKtFBhDby", ""};
    if (id == kTemporary.access_key_id) return VerifierSecret{kTemporary.secret_access_key, kTemporary.session_token};
    return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const test::TextRequest req = test::parse_text_request(text);
    const auto now = parse_amz_date("20150830T123600Z").value();

    for (const auto &h : req.headers) {
        std::string why;
        const auto auth = parse_authorization(h.value, &why);
        if (!auth) {
            check(!why.empty());
            continue;
        }
        check(!auth->access_key_id.empty() && auth->date.size() == 8 && !auth->region.empty() &&
              !auth->service.empty() && !auth->signature.empty() && !auth->signed_headers.empty());
        check(std::adjacent_find(auth->signed_headers.begin(), auth->signed_headers.end(),
                                 [](const auto &a, const auto &b) { return !(a < b); }) == auth->signed_headers.end());
    }

    for (const bool normalize : {true, false}) {
        VerifyOptions options;
        options.now = now;
        options.normalize_path = normalize;
        const VerifyResult v = verify({req.method, req.path, req.query, req.headers, req.body}, lookup, options);
        check(v.ok() == (v.error == VerifyError::none));
        if (!v.ok()) check(!v.message.empty() && !aws_error_code(v.error).empty());
        // The message quotes the request (canonical request); the secret
        // only appears when the request itself contains it.
        if (text.find("fuzz-secret") == std::string_view::npos)
            check(v.message.find("fuzz-secret") == std::string::npos);
    }

    // Round trip.
    SigningOptions sopt;
    sopt.region = "us-east-1";
    sopt.service = "bedrock";
    sopt.time = now;
    sopt.add_content_sha256 = true;
    const SigningResult signed_request =
        sign({req.method, req.path, req.query, "example.amazonaws.com", req.headers, req.body, ""}, kTemporary, sopt);
    if (!signed_request.ok()) return 0;
    std::vector<HttpHeader> headers = req.headers;
    apply_signature(headers, signed_request);
    VerifyOptions vopt;
    vopt.region = "us-east-1";
    vopt.service = "bedrock";
    vopt.now = now;
    const VerifyResult ok = verify({req.method, req.path, req.query, headers, req.body}, lookup, vopt);
    check(ok.ok());
    check(ok.canonical_request == signed_request.canonical_request);
    const std::string other_body = req.body + "x";
    const VerifyResult tampered = verify({req.method, req.path, req.query, headers, other_body}, lookup, vopt);
    check(tampered.error == VerifyError::content_sha256_mismatch);
    return 0;
}
