#include "plugins/aws_common/sigv4.hpp"

#include "plugins/common/percent_encoding.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

namespace helix::aws {

namespace {

constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kHexDigits = "0123456789abcdef";

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto &c : out) c = lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// HTTP/2's pseudo-header for the Host, which the AWS SDKs sign over HTTP/2.
constexpr std::string_view kAuthorityPseudoHeader = ":authority";

// An HTTP field name (RFC 9110 token) in lowercase.
bool is_lowercase_token(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        const bool tchar = (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
                           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!tchar) return false;
    }
    return true;
}

bool all_digits(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The headers that go into the canonical request: lowercase name -> values
// in the order they appeared, each already canonicalized.
using HeaderMap = std::map<std::string, std::vector<std::string>, std::less<>>;

std::string canonical_headers_block(const HeaderMap &headers, const std::vector<std::string> &signed_names) {
    std::string out;
    for (const auto &name : signed_names) {
        out += name;
        out += ':';
        const auto it = headers.find(name);
        if (it != headers.end()) {
            for (std::size_t i = 0; i < it->second.size(); ++i) {
                if (i != 0) out += ',';
                out += it->second[i];
            }
        }
        out += '\n';
    }
    return out;
}

std::string join(const std::vector<std::string> &names, char sep) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i != 0) out += sep;
        out += names[i];
    }
    return out;
}

std::string build_canonical_request(std::string_view method, const std::string &uri, const std::string &query,
                                    const HeaderMap &headers, const std::vector<std::string> &signed_names,
                                    std::string_view payload_hash) {
    std::string out;
    out.reserve(256);
    out += method;
    out += '\n';
    out += uri;
    out += '\n';
    out += query;
    out += '\n';
    out += canonical_headers_block(headers, signed_names);
    out += '\n';
    out += join(signed_names, ';');
    out += '\n';
    out += payload_hash;
    return out;
}

std::string build_string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
    std::string out;
    out += kSigV4Algorithm;
    out += '\n';
    out += amz_date;
    out += '\n';
    out += scope;
    out += '\n';
    out += sha256_hex(canonical_request);
    return out;
}

std::string make_scope(std::string_view date, std::string_view region, std::string_view service) {
    std::string scope;
    scope += date;
    scope += '/';
    scope += region;
    scope += '/';
    scope += service;
    scope += '/';
    scope += kTerminator;
    return scope;
}

std::string compute_signature(std::string_view secret, std::string_view date, std::string_view region,
                              std::string_view service, std::string_view string_to_sign) {
    const auto key = derive_signing_key(secret, date, region, service);
    const auto sig = hmac_sha256(std::string_view(reinterpret_cast<const char *>(key.data()), key.size()),
                                 string_to_sign);
    return to_hex(sig);
}

// Is `name` one of the headers that the signer itself sets?
bool replaced_by_signer(std::string_view lname, const Credentials &credentials, const SigningOptions &options) {
    if (lname == "x-amz-date" || lname == "authorization") return true;
    if (lname == "x-amz-security-token") return !credentials.session_token.empty();
    if (lname == "x-amz-content-sha256") return options.add_content_sha256;
    return false;
}

} // namespace

// ---------------------------------------------------------------------------
// Primitives

std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        out += kHexDigits[b >> 4];
        out += kHexDigits[b & 0xfu];
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    std::array<std::uint8_t, 32> md{};
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 || len != md.size())
        throw std::runtime_error("SHA-256 failed");
    return to_hex(md);
}

std::array<std::uint8_t, 32> hmac_sha256(std::string_view key, std::string_view data) {
    std::array<std::uint8_t, 32> md{};
    unsigned int len = 0;
    if (key.size() > 0x7fffffffu ||
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(data.data()),
             data.size(), md.data(), &len) == nullptr ||
        len != md.size())
        throw std::runtime_error("HMAC-SHA256 failed");
    return md;
}

std::array<std::uint8_t, 32> derive_signing_key(std::string_view secret_access_key, std::string_view date,
                                                std::string_view region, std::string_view service) {
    auto view = [](const std::array<std::uint8_t, 32> &k) {
        return std::string_view(reinterpret_cast<const char *>(k.data()), k.size());
    };
    std::string first = "AWS4";
    first += secret_access_key;
    const auto k_date = hmac_sha256(first, date);
    OPENSSL_cleanse(first.data(), first.size());
    const auto k_region = hmac_sha256(view(k_date), region);
    const auto k_service = hmac_sha256(view(k_region), service);
    return hmac_sha256(view(k_service), kTerminator);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string uri_encode(std::string_view bytes, bool keep_slash) {
    return helix::plugin_common::percent_encode(bytes, keep_slash);
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string format_amz_date(std::chrono::sys_seconds time) {
    using namespace std::chrono;
    const auto day = floor<days>(time);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> hms{time - day};
    std::string out;
    out.reserve(16);
    auto put = [&](long long value, int width) {
        std::string digits(static_cast<std::size_t>(width), '0');
        for (int i = width - 1; i >= 0 && value > 0; --i, value /= 10)
            digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
        out += digits;
    };
    put(static_cast<int>(ymd.year()), 4); // years 0..9999
    put(static_cast<unsigned>(ymd.month()), 2);
    put(static_cast<unsigned>(ymd.day()), 2);
    out += 'T';
    put(hms.hours().count(), 2);
    put(hms.minutes().count(), 2);
    put(hms.seconds().count(), 2);
    out += 'Z';
    return out;
}

std::optional<std::chrono::sys_seconds> parse_amz_date(std::string_view t) noexcept {
    using namespace std::chrono;
    if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z' || !all_digits(t.substr(0, 8)) || !all_digits(t.substr(9, 6)))
        return std::nullopt;
    auto num = [&](std::size_t at, std::size_t len) {
        int v = 0;
        for (std::size_t i = 0; i < len; ++i) v = v * 10 + (t[at + i] - '0');
        return v;
    };
    const year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(4, 2))},
                             day{static_cast<unsigned>(num(6, 2))}};
    const int hh = num(9, 2), mm = num(11, 2), ss = num(13, 2);
    if (!ymd.ok() || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
    return sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss};
}

std::string canonical_header_value(std::string_view value) {
    value = trim(value);
    std::string out;
    out.reserve(value.size());
    bool in_space = false;
    for (const char c : value) {
        if (is_space(c)) {
            in_space = true;
            continue;
        }
        if (in_space) out += ' ';
        in_space = false;
        out += c;
    }
    return out;
}

std::string canonical_uri(std::string_view wire_path, bool normalize, bool double_encode) {
    std::string path;
    if (normalize) {
        // As the AWS SDKs do (smithy-typescript getCanonicalPath, botocore):
        // drop empty and "." segments, ".." removes the previous one; keep a
        // trailing '/' when something is left.
        std::vector<std::string_view> segments;
        std::string_view rest = wire_path;
        while (!rest.empty()) {
            const std::size_t slash = rest.find('/');
            const std::string_view seg = rest.substr(0, slash);
            rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
            if (seg.empty() || seg == ".") continue;
            if (seg == "..") {
                if (!segments.empty()) segments.pop_back();
                continue;
            }
            segments.push_back(seg);
        }
        path = "/";
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (i != 0) path += '/';
            path += segments[i];
        }
        if (!segments.empty() && wire_path.back() == '/') path += '/';
    } else {
        path = wire_path.empty() ? std::string("/") : std::string(wire_path);
    }
    return double_encode ? uri_encode(path, true) : path;
}

std::string canonical_query(std::string_view raw_query) {
    std::vector<std::pair<std::string, std::string>> params;
    std::string_view rest = raw_query;
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        const std::string_view name = pair.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        params.emplace_back(uri_encode(percent_decode(name), false), uri_encode(percent_decode(value), false));
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (i != 0) out += '&';
        out += params[i].first;
        out += '=';
        out += params[i].second;
    }
    return out;
}

bool is_default_signable_header(std::string_view n) noexcept {
    static constexpr std::string_view never[] = {
        "authorization", "cache-control", "connection", "expect",  "from",    "keep-alive",        "max-forwards",
        "pragma",        "referer",       "te",         "trailer", "upgrade", "transfer-encoding", "user-agent",
        "x-amzn-trace-id"};
    for (const auto &x : never)
        if (n == x) return false;
    return !(n.starts_with("proxy-") || n.starts_with("sec-"));
}

std::optional<UrlParts> split_url(std::string_view url) {
    const std::size_t colon = url.find("://");
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    UrlParts parts;
    parts.scheme = to_lower(url.substr(0, colon));
    std::string_view rest = url.substr(colon + 3);
    const std::size_t fragment = rest.find('#');
    if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
    const std::size_t path_at = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, path_at);
    rest = path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    // host, [v6], with an optional :port
    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(0, close + 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else if (const std::size_t c = authority.rfind(':'); c != std::string_view::npos) {
        host = authority.substr(0, c);
        port = authority.substr(c + 1);
    }
    if (host.empty() || !all_digits(port)) return std::nullopt;
    parts.host = to_lower(host);
    const bool default_port = port.empty() || (parts.scheme == "http" && port == "80") ||
                              (parts.scheme == "https" && port == "443");
    if (!default_port) {
        parts.host += ':';
        parts.host += port;
    }
    const std::size_t q = rest.find('?');
    parts.path = std::string(rest.substr(0, q));
    if (parts.path.empty()) parts.path = "/";
    if (q != std::string_view::npos) parts.query = std::string(rest.substr(q + 1));
    return parts;
}

// ---------------------------------------------------------------------------
// Signing

SigningResult sign(const SigningRequest &request, const Credentials &credentials, const SigningOptions &options) {
    SigningResult r;
    if (request.method.empty()) {
        r.error = "no HTTP method";
        return r;
    }
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
        r.error = "credentials without an access key id or secret access key";
        return r;
    }
    if (options.region.empty() || options.service.empty()) {
        r.error = "no signing region or service";
        return r;
    }

    HeaderMap headers;
    std::vector<std::string> signed_names;
    auto add_signed = [&](const std::string &lname) {
        if (std::find(signed_names.begin(), signed_names.end(), lname) == signed_names.end())
            signed_names.push_back(lname);
    };
    bool have_host = false;
    for (const auto &h : request.headers) {
        std::string lname = to_lower(h.name);
        if (!is_lowercase_token(lname)) {
            r.error = "invalid header name '" + std::string(h.name) + "'";
            return r;
        }
        if (replaced_by_signer(lname, credentials, options)) continue;
        if (lname == "host") have_host = true;
        const bool signable = lname == "host" || (options.sign_header ? options.sign_header(lname)
                                                                      : is_default_signable_header(lname));
        if (!signable) continue;
        headers[lname].push_back(canonical_header_value(h.value));
        add_signed(lname);
    }

    r.amz_date = format_amz_date(options.time);
    const std::string date = r.amz_date.substr(0, 8);
    r.payload_hash = request.payload_hash.empty() ? sha256_hex(request.body) : std::string(request.payload_hash);

    if (!have_host) {
        const std::string host = canonical_header_value(request.host);
        if (host.empty()) {
            r.error = "no Host header and no host to sign";
            return r;
        }
        headers["host"].push_back(host);
        add_signed("host");
        r.headers_to_add.push_back({"host", host});
    }
    headers["x-amz-date"].push_back(r.amz_date);
    add_signed("x-amz-date");
    r.headers_to_add.push_back({"x-amz-date", r.amz_date});
    if (!credentials.session_token.empty()) {
        if (options.session_token == SessionTokenMode::sign) {
            headers["x-amz-security-token"].push_back(canonical_header_value(credentials.session_token));
            add_signed("x-amz-security-token");
        }
        r.headers_to_add.push_back({"x-amz-security-token", credentials.session_token});
    }
    if (options.add_content_sha256) {
        headers["x-amz-content-sha256"].push_back(r.payload_hash);
        add_signed("x-amz-content-sha256");
        r.headers_to_add.push_back({"x-amz-content-sha256", r.payload_hash});
    }
    std::sort(signed_names.begin(), signed_names.end());

    r.credential_scope = make_scope(date, options.region, options.service);
    r.canonical_request =
        build_canonical_request(request.method, canonical_uri(request.path, options.normalize_path, options.double_encode_path),
                                canonical_query(request.query), headers, signed_names, r.payload_hash);
    r.string_to_sign = build_string_to_sign(r.amz_date, r.credential_scope, r.canonical_request);
    r.signature = compute_signature(credentials.secret_access_key, date, options.region, options.service,
                                    r.string_to_sign);
    r.signed_headers = join(signed_names, ';');
    r.authorization = std::string(kSigV4Algorithm) + " Credential=" + credentials.access_key_id + "/" +
                      r.credential_scope + ", SignedHeaders=" + r.signed_headers + ", Signature=" + r.signature;
    r.headers_to_add.push_back({"authorization", r.authorization});
    return r;
}

void apply_signature(std::vector<HttpHeader> &headers, const SigningResult &result) {
    for (const auto &add : result.headers_to_add) {
        bool set = false;
        for (auto it = headers.begin(); it != headers.end();) {
            if (!iequals(it->name, add.name)) {
                ++it;
            } else if (!set) {
                it->value = add.value;
                set = true;
                ++it;
            } else {
                it = headers.erase(it);
            }
        }
        if (!set) headers.push_back(add);
    }
}

// ---------------------------------------------------------------------------
// Authorization header parsing

std::optional<AuthorizationHeader> parse_authorization(std::string_view value, std::string *why) {
    auto fail = [&](std::string reason) -> std::optional<AuthorizationHeader> {
        if (why != nullptr) *why = std::move(reason);
        return std::nullopt;
    };
    value = trim(value);
    const std::size_t sp = value.find_first_of(" \t");
    if (sp == std::string_view::npos) return fail("Authorization header has no parameters");
    AuthorizationHeader a;
    a.algorithm = std::string(value.substr(0, sp));
    std::string_view rest = value.substr(sp + 1);
    std::optional<std::string_view> credential, signed_headers, signature;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view part = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (part.empty()) continue;
        const std::size_t eq = part.find('=');
        if (eq == std::string_view::npos) return fail("Authorization header parameter without '=': '" + std::string(part) + "'");
        const std::string_view key = trim(part.substr(0, eq));
        const std::string_view val = trim(part.substr(eq + 1));
        std::optional<std::string_view> *slot = nullptr;
        if (key == "Credential")
            slot = &credential;
        else if (key == "SignedHeaders")
            slot = &signed_headers;
        else if (key == "Signature")
            slot = &signature;
        else
            return fail("Authorization header has an unknown parameter '" + std::string(key) + "'");
        if (slot->has_value()) return fail("Authorization header repeats '" + std::string(key) + "'");
        *slot = val;
    }
    std::string missing;
    if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
    if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
    if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
    if (!missing.empty()) {
        missing.pop_back();
        return fail(missing);
    }

    // Credential = AKID/YYYYMMDD/region/service/aws4_request (the key id is
    // everything before the last four parts).
    std::string_view cred = *credential;
    std::array<std::string_view, 4> tail;
    for (std::size_t i = 4; i-- > 0;) {
        const std::size_t slash = cred.rfind('/');
        if (slash == std::string_view::npos) return fail("Credential should have 5 parts separated by '/'");
        tail[i] = cred.substr(slash + 1);
        cred = cred.substr(0, slash);
    }
    a.access_key_id = std::string(cred);
    a.date = std::string(tail[0]);
    a.region = std::string(tail[1]);
    a.service = std::string(tail[2]);
    if (a.access_key_id.empty()) return fail("Credential has an empty access key id");
    if (a.date.size() != 8 || !all_digits(a.date)) return fail("Credential date is not YYYYMMDD");
    if (a.region.empty()) return fail("Credential has an empty region");
    if (a.service.empty()) return fail("Credential has an empty service");
    if (tail[3] != kTerminator)
        return fail("Credential should be scoped with a valid terminator: 'aws4_request', not '" + std::string(tail[3]) +
                    "'");

    std::string_view names = *signed_headers;
    if (names.empty()) return fail("SignedHeaders is empty");
    while (true) {
        const std::size_t semi = names.find(';');
        const std::string_view name = names.substr(0, semi);
        if (name.empty()) return fail("SignedHeaders has an empty name");
        // Over HTTP/2 the AWS SDKs sign the :authority pseudo-header instead of Host.
        if (!is_lowercase_token(name) && name != kAuthorityPseudoHeader)
            return fail("SignedHeaders names must be lowercase header names");
        if (!a.signed_headers.empty() && !(a.signed_headers.back() < name))
            return fail("SignedHeaders must be sorted and without repeats");
        a.signed_headers.emplace_back(name);
        if (semi == std::string_view::npos) break;
        names = names.substr(semi + 1);
    }

    if (signature->empty()) return fail("Signature is empty");
    a.signature = std::string(*signature);
    return a;
}

// ---------------------------------------------------------------------------
// Verifying

std::string_view to_string(VerifyError error) noexcept {
    switch (error) {
    case VerifyError::none: return "ok";
    case VerifyError::missing_authorization: return "missing authorization";
    case VerifyError::malformed_authorization: return "malformed authorization";
    case VerifyError::unsupported_algorithm: return "unsupported algorithm";
    case VerifyError::scope_mismatch: return "credential scope mismatch";
    case VerifyError::request_expired: return "request expired";
    case VerifyError::unknown_access_key: return "unknown access key";
    case VerifyError::invalid_session_token: return "invalid session token";
    case VerifyError::content_sha256_mismatch: return "content sha256 mismatch";
    case VerifyError::signature_mismatch: return "signature mismatch";
    }
    return "unknown";
}

std::string_view aws_error_code(VerifyError error) noexcept {
    switch (error) {
    case VerifyError::none: return "";
    case VerifyError::missing_authorization: return "MissingAuthenticationTokenException";
    case VerifyError::malformed_authorization:
    case VerifyError::unsupported_algorithm: return "IncompleteSignatureException";
    case VerifyError::unknown_access_key:
    case VerifyError::invalid_session_token: return "UnrecognizedClientException";
    case VerifyError::scope_mismatch:
    case VerifyError::request_expired:
    case VerifyError::content_sha256_mismatch:
    case VerifyError::signature_mismatch: return "InvalidSignatureException";
    }
    return "InvalidSignatureException";
}

int http_status(VerifyError error) noexcept {
    switch (error) {
    case VerifyError::none: return 200;
    case VerifyError::malformed_authorization:
    case VerifyError::unsupported_algorithm: return 400;
    default: return 403;
    }
}

VerifyResult verify(const ReceivedRequest &request, const SecretLookup &lookup, const VerifyOptions &options) {
    VerifyResult r;
    auto fail = [&](VerifyError e, std::string message) {
        r.error = e;
        r.message = std::move(message);
        return r;
    };

    // The received headers, by lowercase name, values canonicalized.
    HeaderMap headers;
    std::size_t authorization_count = 0;
    std::string_view authorization;
    for (const auto &h : request.headers) {
        std::string lname = to_lower(h.name);
        if (lname == "authorization") {
            ++authorization_count;
            authorization = h.value;
        }
        headers[lname].push_back(canonical_header_value(h.value));
    }
    if (authorization_count == 0) return fail(VerifyError::missing_authorization, "Missing Authentication Token");
    if (authorization_count > 1)
        return fail(VerifyError::malformed_authorization, "Authorization header must appear once");

    std::string why;
    const auto auth = parse_authorization(authorization, &why);
    if (!auth) {
        if (trim(authorization).empty() || trim(authorization).starts_with(kSigV4Algorithm))
            return fail(VerifyError::malformed_authorization, why);
        return fail(VerifyError::unsupported_algorithm, why);
    }
    r.access_key_id = auth->access_key_id;
    r.region = auth->region;
    r.service = auth->service;
    if (auth->algorithm != kSigV4Algorithm)
        return fail(VerifyError::unsupported_algorithm,
                    "Unsupported AWS 'algorithm': '" + auth->algorithm + "' (only AWS4-HMAC-SHA256)");

    const auto &names = auth->signed_headers;
    auto is_signed = [&](std::string_view n) { return std::binary_search(names.begin(), names.end(), n); };
    if (!is_signed("host") && !is_signed(kAuthorityPseudoHeader))
        return fail(VerifyError::malformed_authorization, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    if (!is_signed("x-amz-date"))
        return fail(VerifyError::malformed_authorization, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
    for (const auto &n : names)
        if (headers.find(n) == headers.end())
            return fail(VerifyError::malformed_authorization, "Signed header '" + n + "' is missing from the request.");

    const auto &date_values = headers.find("x-amz-date")->second;
    if (date_values.size() != 1) return fail(VerifyError::malformed_authorization, "X-Amz-Date must appear once.");
    r.amz_date = date_values.front();
    const auto signed_at = parse_amz_date(r.amz_date);
    if (!signed_at)
        return fail(VerifyError::malformed_authorization,
                    "X-Amz-Date '" + r.amz_date + "' is not in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'.");
    if (r.amz_date.compare(0, 8, auth->date) != 0)
        return fail(VerifyError::malformed_authorization,
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                        auth->date + "' != '" + r.amz_date.substr(0, 8) + "', from '" + r.amz_date + "'.");

    if (!options.region.empty() && auth->region != options.region)
        return fail(VerifyError::scope_mismatch,
                    "Credential should be scoped to a valid region, not '" + auth->region + "'. ");
    if (!options.service.empty() && auth->service != options.service)
        return fail(VerifyError::scope_mismatch,
                    "Credential should be scoped to correct service: '" + std::string(options.service) + "'. ");

    const auto skew = *signed_at - options.now;
    if (skew < -options.max_skew)
        return fail(VerifyError::request_expired, "Signature expired: " + r.amz_date + " is now earlier than " +
                                                      format_amz_date(options.now - options.max_skew) + " (" +
                                                      format_amz_date(options.now) + " - " +
                                                      std::to_string(options.max_skew.count()) + " s.)");
    if (skew > options.max_skew)
        return fail(VerifyError::request_expired, "Signature not yet current: " + r.amz_date +
                                                      " is still later than " +
                                                      format_amz_date(options.now + options.max_skew) + " (" +
                                                      format_amz_date(options.now) + " + " +
                                                      std::to_string(options.max_skew.count()) + " s.)");

    const auto secret = lookup ? lookup(auth->access_key_id) : std::nullopt;
    if (!secret) return fail(VerifyError::unknown_access_key, "The security token included in the request is invalid.");

    const auto token_it = headers.find("x-amz-security-token");
    if (secret->session_token.empty()) {
        if (token_it != headers.end())
            return fail(VerifyError::invalid_session_token, "The security token included in the request is invalid.");
    } else {
        if (token_it == headers.end() || token_it->second.size() != 1 ||
            !constant_time_equal(token_it->second.front(), canonical_header_value(secret->session_token)))
            return fail(VerifyError::invalid_session_token, "The security token included in the request is invalid.");
        if (options.require_signed_session_token && !is_signed("x-amz-security-token"))
            return fail(VerifyError::invalid_session_token,
                        "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");
    }

    std::string payload_hash = sha256_hex(request.body);
    if (const auto it = headers.find("x-amz-content-sha256"); it != headers.end()) {
        const std::string &declared = it->second.front();
        if (it->second.size() != 1)
            return fail(VerifyError::content_sha256_mismatch, "x-amz-content-sha256 must appear once.");
        if (declared == kUnsignedPayload) {
            if (!options.allow_unsigned_payload)
                return fail(VerifyError::content_sha256_mismatch, "UNSIGNED-PAYLOAD is not accepted here.");
            payload_hash = declared;
        } else if (declared != payload_hash) {
            return fail(VerifyError::content_sha256_mismatch,
                        "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
    }

    r.canonical_request = build_canonical_request(
        request.method, canonical_uri(request.path, options.normalize_path, options.double_encode_path),
        canonical_query(request.query), headers, names, payload_hash);
    const std::string scope = make_scope(auth->date, auth->region, auth->service);
    r.string_to_sign = build_string_to_sign(r.amz_date, scope, r.canonical_request);
    const std::string expected =
        compute_signature(secret->secret_access_key, auth->date, auth->region, auth->service, r.string_to_sign);
    if (!constant_time_equal(expected, auth->signature))
        return fail(VerifyError::signature_mismatch,
                    "The request signature we calculated does not match the signature you provided. Check your AWS "
                    "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                    "The Canonical String for this request should have been\n'" +
                        r.canonical_request + "'\n\nThe String-to-Sign should have been\n'" + r.string_to_sign + "'\n");
    return r;
}

} // namespace helix::aws
