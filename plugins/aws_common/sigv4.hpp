#pragma once
// AWS Signature Version 4 (header signing), for a client that signs and for a
// simulator that verifies. No I/O; OpenSSL for SHA-256 and HMAC.
//
// Signing (sign()):
//   canonical request = METHOD \n canonicalURI \n canonicalQuery \n
//                       canonicalHeaders \n signedHeaders \n payloadHash
//   string to sign    = "AWS4-HMAC-SHA256" \n amzDate \n scope \n hex(sha256(canonical request))
//   scope             = YYYYMMDD/region/service/aws4_request
//   signature         = hex(HMAC chain over "AWS4"+secret, date, region, service, "aws4_request", string to sign)
//
//   * canonicalURI: SigningRequest::path is the path as sent on the wire
//     (already percent-encoded where the sender encodes, e.g. a Bedrock model
//     id "...-v1%3A0"). With normalize_path, "." and ".." segments and empty
//     segments ("//") are removed as the AWS SDKs do (a trailing "/" is kept).
//     With double_encode_path (every service but S3), the result is
//     percent-encoded once more, keeping "/" and the unreserved characters
//     A-Z a-z 0-9 - . _ ~ ("%3A" becomes "%253A"). Without it, the path is used
//     as given.
//   * canonicalQuery: SigningRequest::query is the raw query (no '?'); each
//     "name=value" pair (a name without '=' has an empty value, empty pairs are
//     skipped) is percent-decoded and encoded again exactly once, then the
//     pairs are sorted by name, then value. '+' is a literal plus sign.
//   * canonicalHeaders: lowercase names, values trimmed with inner runs of
//     whitespace collapsed to one space; repeated names joined with ',' in the
//     order they appear; sorted by name.
//
// Header names must be HTTP tokens (RFC 9110; no spaces, ';', ':' ...), or
// sign() fails: they end up in SignedHeaders, which a ';' would make ambiguous.
// The signer replaces (names compared without regard to case) any X-Amz-Date,
// Authorization, and, when it adds them, X-Amz-Security-Token and
// X-Amz-Content-Sha256 headers the request already has, and reports the
// headers the caller must set in SigningResult::headers_to_add.
//
// Thread-safe: every function is pure.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace helix::aws {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::chrono::seconds kDefaultMaxClockSkew{5 * 60};

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; // empty: long-term credentials
};

struct HttpHeader {
    std::string name;
    std::string value;
    friend bool operator==(const HttpHeader &, const HttpHeader &) = default;
};

// ---------------------------------------------------------------------------
// Signing

struct SigningRequest {
    std::string_view method; // (Required) "POST"
    std::string_view path;   // (Required) wire path, e.g. "/model/anthropic.claude-v2%3A1/converse"; "" means "/"
    std::string_view query;  // (Optional) raw query string without the '?'
    // (Optional) The Host header value ("host" or "host:port") to sign and to
    // send when `headers` has no Host header; see split_url().
    std::string_view host;
    std::span<const HttpHeader> headers; // (Optional) headers as they will be sent
    std::string_view body;               // (Optional) the payload bytes
    // (Optional) Lowercase hex SHA-256 of the payload when already known, or
    // kUnsignedPayload; empty means "hash `body`".
    std::string_view payload_hash;
};

enum class SessionTokenMode : std::uint8_t {
    // X-Amz-Security-Token is added before signing and is signed (Bedrock,
    // the JS SDK, botocore; suite cases "post-sts-header-before").
    sign,
    // Added after signing, not signed (suite case "post-sts-header-after",
    // aws-c-auth "omit_session_token").
    append_unsigned,
};

struct SigningOptions {
    std::string_view region;  // (Required) "us-east-1"
    std::string_view service; // (Required) signing name: "bedrock" for Bedrock Runtime
    std::chrono::sys_seconds time{}; // (Required) signing time (UTC)
    bool normalize_path = true;       // (Optional) remove dot segments and "//" (false for S3)
    bool double_encode_path = true;   // (Optional) encode the wire path again (false for S3)
    bool add_content_sha256 = false;  // (Optional) add and sign x-amz-content-sha256 (JS SDK: yes)
    SessionTokenMode session_token = SessionTokenMode::sign;
    // (Optional) Which of the request's headers to sign, given the lowercase
    // name. Empty: every header except those the AWS SDKs never sign (see
    // is_default_signable_header()). Host, x-amz-date and the headers the
    // signer adds are always signed (the token only in SessionTokenMode::sign).
    std::function<bool(std::string_view lowercase_name)> sign_header;
};

struct SigningResult {
    std::string error; // empty on success; then the fields below are set

    std::string amz_date;         // "20150830T123600Z"
    std::string credential_scope; // "20150830/us-east-1/service/aws4_request"
    std::string payload_hash;
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers; // "host;x-amz-date"
    std::string signature;      // lowercase hex
    std::string authorization;  // the Authorization header value
    // Headers to set on the request (replacing any of the same name, case
    // ignored), lowercase names, in this order when present: host (only when
    // it came from SigningRequest::host), x-amz-date, x-amz-security-token,
    // x-amz-content-sha256, authorization.
    std::vector<HttpHeader> headers_to_add;

    bool ok() const noexcept { return error.empty(); }
};

SigningResult sign(const SigningRequest &request, const Credentials &credentials, const SigningOptions &options);

// Sets every header of result.headers_to_add on `headers`: replaces the first
// header of that name (case ignored) and removes further ones, or appends.
void apply_signature(std::vector<HttpHeader> &headers, const SigningResult &result);

// False for the headers the AWS SDKs never sign: authorization,
// cache-control, connection, expect, from, keep-alive, max-forwards, pragma,
// referer, te, trailer, transfer-encoding, upgrade, user-agent,
// x-amzn-trace-id, and proxy-* / sec-*.
bool is_default_signable_header(std::string_view lowercase_name) noexcept;

// ---------------------------------------------------------------------------
// Verifying (the simulator's side)

struct ReceivedRequest {
    std::string_view method;
    std::string_view path;  // raw request-target path as received (still percent-encoded)
    std::string_view query; // raw query without the '?'
    std::span<const HttpHeader> headers; // as received, any case, repeats allowed
    std::string_view body;
};

struct VerifierSecret {
    std::string secret_access_key;
    // Non-empty for temporary credentials: the request must carry exactly this
    // X-Amz-Security-Token. Empty: the request must not carry one.
    std::string session_token;
};

// Looks up an access key id; std::nullopt when unknown.
using SecretLookup = std::function<std::optional<VerifierSecret>(std::string_view access_key_id)>;

struct VerifyOptions {
    std::string_view region;  // (Optional) expected scope region; empty: any
    std::string_view service; // (Optional) expected signing name ("bedrock"); empty: any
    std::chrono::sys_seconds now{}; // (Required) the server's clock
    std::chrono::seconds max_skew = kDefaultMaxClockSkew; // |now - x-amz-date| above this fails
    bool normalize_path = true;
    bool double_encode_path = true;
    bool require_signed_session_token = true; // the token must be in SignedHeaders
    bool allow_unsigned_payload = false;      // accept x-amz-content-sha256: UNSIGNED-PAYLOAD
};

enum class VerifyError : std::uint8_t {
    none = 0,
    missing_authorization,   // no Authorization header
    malformed_authorization, // unparsable Authorization, SignedHeaders lacking host / x-amz-date, a
                             // signed header absent, x-amz-date missing or malformed or not matching the scope date
    unsupported_algorithm,   // not AWS4-HMAC-SHA256
    scope_mismatch,          // region or service other than expected
    request_expired,         // x-amz-date more than max_skew away from now
    unknown_access_key,      // lookup returned nothing
    invalid_session_token,   // token missing, wrong, unexpected, or not signed
    content_sha256_mismatch, // x-amz-content-sha256 is not the body's hash (or UNSIGNED-PAYLOAD refused)
    signature_mismatch,
};

std::string_view to_string(VerifyError error) noexcept;
// The AWS error code a JSON service answers with (x-amzn-ErrorType):
// MissingAuthenticationTokenException, IncompleteSignatureException,
// InvalidSignatureException, UnrecognizedClientException, ...; "" for none.
std::string_view aws_error_code(VerifyError error) noexcept;
// The HTTP status that goes with it (400 for incomplete signatures, else 403).
int http_status(VerifyError error) noexcept;

struct VerifyResult {
    VerifyError error = VerifyError::none;
    std::string message; // AWS-style message for the error body; never contains a secret
    // As far as they were parsed:
    std::string access_key_id;
    std::string region;
    std::string service;
    std::string amz_date;
    std::string canonical_request; // what the server computed (in AWS's mismatch message too)
    std::string string_to_sign;

    bool ok() const noexcept { return error == VerifyError::none; }
};

VerifyResult verify(const ReceivedRequest &request, const SecretLookup &lookup, const VerifyOptions &options);

// The parsed Authorization header value. Untrusted input: every field is
// checked, nothing is assumed about lengths.
struct AuthorizationHeader {
    std::string algorithm;
    std::string access_key_id;
    std::string date; // YYYYMMDD
    std::string region;
    std::string service;
    std::vector<std::string> signed_headers; // lowercase, sorted, unique, non-empty
    std::string signature;
};

// std::nullopt when malformed; then *why (if given) says what is wrong. Does
// not check the algorithm name (verify() does).
std::optional<AuthorizationHeader> parse_authorization(std::string_view value, std::string *why = nullptr);

// ---------------------------------------------------------------------------
// Pieces, exposed for tests and callers that need them

// "20150830T123600Z" <-> time.
std::string format_amz_date(std::chrono::sys_seconds time);
std::optional<std::chrono::sys_seconds> parse_amz_date(std::string_view text) noexcept;

std::string canonical_uri(std::string_view wire_path, bool normalize, bool double_encode);
std::string canonical_query(std::string_view raw_query);
// Trims and collapses whitespace (space, tab, CR, LF, VT, FF).
std::string canonical_header_value(std::string_view value);
// Percent-encodes everything but A-Z a-z 0-9 - . _ ~ (and '/' if keep_slash), uppercase hex.
std::string uri_encode(std::string_view bytes, bool keep_slash);
// Decodes %XX (either case); a '%' not followed by two hex digits stays as is.
std::string percent_decode(std::string_view text);

std::string sha256_hex(std::string_view bytes);
std::array<std::uint8_t, 32> hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::span<const std::uint8_t> bytes);
// The signing key for one day, region and service.
std::array<std::uint8_t, 32> derive_signing_key(std::string_view secret_access_key, std::string_view date,
                                                std::string_view region, std::string_view service);
// Equal length and equal bytes, in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

struct UrlParts {
    std::string scheme; // lowercase
    std::string host;   // the Host header value: "host", or "host:port" when the port is not the scheme's default
    std::string path;   // "/" when the URL has none
    std::string query;  // without '?', fragment dropped
};
// Splits "scheme://[userinfo@]host[:port][/path][?query][#fragment]";
// std::nullopt when there is no scheme or host. Nothing is decoded.
std::optional<UrlParts> split_url(std::string_view url);

} // namespace helix::aws
