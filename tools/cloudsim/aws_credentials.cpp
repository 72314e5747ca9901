#include "tools/cloudsim/aws_credentials.hpp"

#include "plugins/aws_common/sigv4.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace helix::cloudsim::aws_credentials {

namespace {

namespace json = boost::json;

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kStsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";
constexpr std::string_view kImdsPrefix = "/latest/";
constexpr std::string_view kCredentialsPath = "/latest/meta-data/iam/security-credentials/";
constexpr std::string_view kCredentialsExtendedPath = "/latest/meta-data/iam/security-credentials-extended/";
constexpr std::string_view kContainerRelativePrefix = "/v2/credentials/";
constexpr std::string_view kContainerFullPath = "/v1/credentials";
constexpr std::string_view kSsoCredentialsPath = "/federation/credentials";
// Roles assumed with credentials from AssumeRole (role chaining) last at most an hour.
constexpr std::int64_t kChainedRoleMaxSeconds = 3600;
// Drop credentials and IMDS tokens this long after they expired.
constexpr std::int64_t kForgetAfterS = 3600;

// `length` characters of `alphabet` (32 or 64 long: no modulo bias), from
// OpenSSL's CSPRNG, as these are credentials.
std::string random_text(std::string_view alphabet, std::size_t length) {
    std::string bytes(length, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("no random bytes for temporary credentials");
    std::string out(length, '\0');
    for (std::size_t i = 0; i < length; ++i)
        out[i] = alphabet[static_cast<unsigned char>(bytes[i]) % alphabet.size()];
    return out;
}

EndpointReply text_reply(int status, std::string body) {
    EndpointReply r;
    r.status = status;
    r.content_type = "text/plain";
    r.body = std::move(body);
    return r;
}

// IMDS answers errors with a small HTML page.
EndpointReply imds_error(int status, std::string_view reason) {
    EndpointReply r;
    r.status = status;
    r.content_type = "text/html";
    const std::string title = std::to_string(status) + " - " + std::string(reason);
    r.body = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
             "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
             "\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
             "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n <head>\n  <title>" +
             title + "</title>\n </head>\n <body>\n  <h1>" + title + "</h1>\n </body>\n</html>\n";
    return r;
}

EndpointReply json_reply(int status, const json::object &body) {
    EndpointReply r;
    r.status = status;
    r.content_type = "application/json";
    r.body = json::serialize(body);
    return r;
}

EndpointReply container_error(int status, std::string_view code, std::string_view message) {
    return json_reply(status, json::object{{"Code", code}, {"Message", message}});
}

EndpointReply sts_error(int status, std::string_view code, std::string_view message) {
    EndpointReply r;
    r.status = status;
    r.content_type = "text/xml";
    const std::string id = random_uuid();
    r.body = sts_error_xml(status >= 500 ? "Receiver" : "Sender", code, message, id);
    r.headers.emplace_back("x-amzn-RequestId", id);
    return r;
}

std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t max) {
    if (text.empty() || text.size() > 12) return std::nullopt;
    std::int64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v > max) return std::nullopt;
    return v;
}

// AWS's role session name pattern [\w+=,.@-]*
bool valid_session_name(std::string_view name) {
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_+=,.@-").find(c) != std::string_view::npos;
    });
}

// arn:<partition>:iam::<12 digits>:role/<path and name>
bool valid_role_arn(std::string_view arn) {
    if (arn.size() < 20 || arn.size() > 2048 || !arn.starts_with("arn:aws")) return false;
    const auto iam = arn.find(":iam::");
    if (iam == std::string_view::npos) return false;
    const std::string_view rest = arn.substr(iam + 6);
    if (rest.size() < 14 || rest[12] != ':') return false;
    if (!std::all_of(rest.begin(), rest.begin() + 12, [](char c) { return c >= '0' && c <= '9'; })) return false;
    const std::string_view resource = rest.substr(13);
    return resource.starts_with("role/") && resource.size() > 5;
}

std::string role_name_of(std::string_view arn) {
    const auto slash = arn.rfind('/');
    return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

std::string account_of(std::string_view arn, std::string_view fallback) {
    const auto iam = arn.find(":iam::");
    if (iam == std::string_view::npos || arn.size() < iam + 18) return std::string(fallback);
    return std::string(arn.substr(iam + 6, 12));
}

// The XML of a successful AssumeRole / AssumeRoleWithWebIdentity: `before`
// and `after` are the action's own members around AssumedRoleUser and Credentials.
EndpointReply sts_credentials_reply(std::string_view action, std::string_view before, std::string_view after,
                                    const TemporaryCredentials &c, std::string_view role_arn, std::string_view session,
                                    std::string_view default_account) {
    const std::string request_id = random_uuid();
    const std::string act(action);
    EndpointReply r;
    r.content_type = "text/xml";
    r.headers.emplace_back("x-amzn-RequestId", request_id);
    r.body = "<" + act + "Response xmlns=\"" + std::string(kStsNamespace) + "\">\n  <" + act + "Result>\n" +
             std::string(before) +
             "    <AssumedRoleUser>\n"
             "      <Arn>arn:aws:sts::" + xml_escape(account_of(role_arn, default_account)) + ":assumed-role/" +
             xml_escape(role_name_of(role_arn)) + "/" + xml_escape(session) + "</Arn>\n"
             "      <AssumedRoleId>AROA" + c.access_key_id.substr(4) + ":" + xml_escape(session) + "</AssumedRoleId>\n"
             "    </AssumedRoleUser>\n"
             "    <Credentials>\n"
             "      <SessionToken>" + xml_escape(c.session_token) + "</SessionToken>\n"
             "      <SecretAccessKey>" + xml_escape(c.secret_access_key) + "</SecretAccessKey>\n"
             "      <Expiration>" + iso8601(c.expires_at_s) + "</Expiration>\n"
             "      <AccessKeyId>" + c.access_key_id + "</AccessKeyId>\n"
             "    </Credentials>\n" +
             std::string(after) + "  </" + act + "Result>\n  <ResponseMetadata>\n    <RequestId>" + request_id +
             "</RequestId>\n  </ResponseMetadata>\n</" + act + "Response>\n";
    return r;
}

} // namespace

std::string random_uuid() {
    const std::string hex = random_text("0123456789abcdef0123456789abcdef", 32);
    std::string out;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
        char c = hex[i];
        if (i == 12) c = '4';
        if (i == 16) c = "89ab"[static_cast<unsigned char>(c) % 4];
        out.push_back(c);
    }
    return out;
}

std::string iso8601(std::int64_t unix_s) { return utc_timestamp(unix_s); }

std::map<std::string, std::string, std::less<>> parse_form(std::string_view text) {
    std::map<std::string, std::string, std::less<>> out;
    auto decode = [](std::string_view part) {
        std::string plus(part);
        std::replace(plus.begin(), plus.end(), '+', ' ');
        return helix::aws::percent_decode(plus);
    };
    while (!text.empty()) {
        const auto amp = text.find('&');
        const std::string_view pair = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        out.emplace(decode(pair.substr(0, eq)), decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)));
    }
    return out;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

std::string sts_error_xml(std::string_view type, std::string_view code, std::string_view message,
                          std::string_view request_id) {
    return "<ErrorResponse xmlns=\"" + std::string(kStsNamespace) + "\">\n  <Error>\n    <Type>" + xml_escape(type) +
           "</Type>\n    <Code>" + xml_escape(code) + "</Code>\n    <Message>" + xml_escape(message) +
           "</Message>\n  </Error>\n  <RequestId>" + xml_escape(request_id) + "</RequestId>\n</ErrorResponse>\n";
}

// ---------------------------------------------------------------------------
// CredentialStore

TemporaryCredentials CredentialStore::issue(std::string_view source, std::string_view role_arn, std::int64_t now_s,
                                            std::optional<std::int64_t> ttl_s) {
    TemporaryCredentials c;
    c.access_key_id = "ASIA" + random_text(kBase32, 16);
    c.secret_access_key = random_text(kBase64, 40);
    // Real session tokens are long base64 blobs; clients must pass them through unchanged.
    c.session_token = "IQoJb3JpZ2luX2VjE" + random_text(kBase64, 300);
    c.issued_at_s = now_s;
    c.expires_at_s = now_s + ttl_s.value_or(ttl_s_);
    c.role_arn = std::string(role_arn);
    c.source = std::string(source);
    std::lock_guard lock(mutex_);
    prune(now_s);
    credentials_[c.access_key_id] = c;
    return c;
}

std::optional<TemporaryCredentials> CredentialStore::find(std::string_view access_key_id) const {
    std::lock_guard lock(mutex_);
    const auto it = credentials_.find(access_key_id);
    if (it == credentials_.end()) return std::nullopt;
    return it->second;
}

std::string CredentialStore::issue_imds_token(std::int64_t ttl_s, std::int64_t now_s) {
    std::string token = "AQAEA" + random_text(kBase64, 51) + "==";
    std::lock_guard lock(mutex_);
    prune(now_s);
    imds_tokens_[token] = now_s + ttl_s;
    return token;
}

bool CredentialStore::imds_token_valid(std::string_view token, std::int64_t now_s) const {
    std::lock_guard lock(mutex_);
    const auto it = imds_tokens_.find(token);
    return it != imds_tokens_.end() && now_s < it->second;
}

std::size_t CredentialStore::expire_all(std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    for (auto &[id, c] : credentials_) c.expires_at_s = std::min(c.expires_at_s, now_s);
    return credentials_.size();
}

void CredentialStore::prune(std::int64_t now_s) {
    if (now_s - last_prune_s_ < 60) return;
    last_prune_s_ = now_s;
    std::erase_if(credentials_, [&](const auto &kv) { return kv.second.expires_at_s + kForgetAfterS < now_s; });
    std::erase_if(imds_tokens_, [&](const auto &kv) { return kv.second + kForgetAfterS < now_s; });
}

// ---------------------------------------------------------------------------
// Endpoints

bool is_credential_path(std::string_view path) {
    return path == "/" || path.starts_with(kImdsPrefix) || path.starts_with(kContainerRelativePrefix) ||
           path == kContainerFullPath || path == kSsoCredentialsPath;
}

std::string CredentialEndpoints::role_arn() const {
    return "arn:aws:iam::" + settings_.account_id + ":role/" + settings_.role_name;
}

std::optional<EndpointReply> CredentialEndpoints::handle(const EndpointRequest &request, std::int64_t now_s) {
    const std::string_view path = request.path;
    if (path == "/") return sts(request, now_s);
    if (path.starts_with(kImdsPrefix)) return imds(request, now_s);
    if (path == kContainerFullPath) return container(request, true, now_s);
    if (path == kSsoCredentialsPath) return sso(request, now_s);
    if (path.starts_with(kContainerRelativePrefix)) {
        const std::string_view id = path.substr(kContainerRelativePrefix.size());
        if (id.empty() || id.find('/') != std::string_view::npos)
            return container_error(404, "NotFound", "No credentials at " + std::string(path));
        return container(request, false, now_s);
    }
    return std::nullopt;
}

EndpointReply CredentialEndpoints::imds(const EndpointRequest &request, std::int64_t now_s) {
    if (request.path == "/latest/api/token") {
        if (request.method != "PUT") return imds_error(405, "Method Not Allowed");
        // IMDS refuses token requests that went through a proxy.
        if (request.header("X-Forwarded-For")) return imds_error(403, "Forbidden");
        const auto ttl_text = request.header("X-aws-ec2-metadata-token-ttl-seconds");
        const auto ttl = ttl_text ? parse_int(*ttl_text, kMaxImdsTokenTtl) : std::nullopt;
        if (!ttl || *ttl < 1) return imds_error(400, "Bad Request");
        EndpointReply r = text_reply(200, store_.issue_imds_token(*ttl, now_s));
        r.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", std::to_string(*ttl));
        return r;
    }
    if (request.method != "GET" && request.method != "HEAD") return imds_error(405, "Method Not Allowed");
    // IMDSv2 only (HttpTokens=required): no token or an unknown or expired one -> 401.
    const auto token = request.header("X-aws-ec2-metadata-token");
    if (!token || !store_.imds_token_valid(*token, now_s)) return imds_error(401, "Unauthorized");

    const std::string_view path = request.path;
    if (path == "/latest/meta-data/placement/region") return text_reply(200, settings_.region);
    if (path == "/latest/meta-data/placement/availability-zone") return text_reply(200, settings_.region + "a");
    for (const std::string_view prefix : {kCredentialsPath, kCredentialsExtendedPath}) {
        // The listing answers with and without its trailing '/' (the Google auth libraries ask without).
        if (path == prefix || path == prefix.substr(0, prefix.size() - 1)) return text_reply(200, settings_.role_name);
        if (!path.starts_with(prefix)) continue;
        if (path.substr(prefix.size()) != settings_.role_name) return imds_error(404, "Not Found");
        const TemporaryCredentials c = store_.issue("imds", role_arn(), now_s);
        json::object body{{"Code", "Success"},
                          {"LastUpdated", iso8601(now_s)},
                          {"Type", "AWS-HMAC"},
                          {"AccessKeyId", c.access_key_id},
                          {"SecretAccessKey", c.secret_access_key},
                          {"Token", c.session_token},
                          {"Expiration", iso8601(c.expires_at_s)}};
        if (prefix == kCredentialsExtendedPath) body["AccountId"] = settings_.account_id;
        EndpointReply r = json_reply(200, body);
        r.content_type = "text/plain"; // IMDS serves every document as text/plain
        return r;
    }
    return imds_error(404, "Not Found");
}

EndpointReply CredentialEndpoints::container(const EndpointRequest &request, bool full_uri, std::int64_t now_s) {
    if (request.method != "GET") return container_error(405, "MethodNotAllowed", "Use GET");
    const auto authorization = request.header("Authorization");
    if (full_uri && (!authorization || authorization->empty()))
        return container_error(401, "Unauthorized", "The Authorization header is required");
    if (authorization && !helix::aws::constant_time_equal(*authorization, settings_.container_token))
        return container_error(403, "AccessDenied", "The Authorization header is not the container's token");
    const TemporaryCredentials c = store_.issue("container", role_arn(), now_s);
    return json_reply(200, json::object{{"RoleArn", c.role_arn},
                                        {"AccessKeyId", c.access_key_id},
                                        {"SecretAccessKey", c.secret_access_key},
                                        {"Token", c.session_token},
                                        {"Expiration", iso8601(c.expires_at_s)},
                                        {"AccountId", settings_.account_id}});
}

EndpointReply CredentialEndpoints::sts(const EndpointRequest &request, std::int64_t now_s) {
    if (request.method != "POST" && request.method != "GET")
        return sts_error(405, "InvalidAction", "STS is served by GET and POST");
    auto params = parse_form(request.query);
    if (request.method == "POST") {
        // Form body members win over query members.
        auto form = parse_form(request.body);
        for (auto &[k, v] : params) form.emplace(k, std::move(v));
        params = std::move(form);
    }
    auto param = [&](std::string_view name) -> std::optional<std::string> {
        const auto it = params.find(name);
        if (it == params.end()) return std::nullopt;
        return it->second;
    };
    const auto action = param("Action");
    if (!action || action->empty()) return sts_error(400, "MissingAction", "Missing Action");
    const std::string version = param("Version").value_or("2011-06-15");
    const bool assume_role = *action == "AssumeRole";
    const bool identity = *action == "GetCallerIdentity";
    if ((*action != "AssumeRoleWithWebIdentity" && !assume_role && !identity) || version != "2011-06-15")
        return sts_error(400, "InvalidAction",
                         "Could not find operation " + *action + " for version " + version +
                             " (helix-cloudsim serves AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity)");
    std::optional<TemporaryCredentials> caller;
    if (assume_role || identity)
        if (auto refused = sts_caller(request, now_s, caller)) return std::move(*refused);
    if (identity) return caller_identity_reply(caller);

    const auto role_arn = param("RoleArn");
    const auto session = param("RoleSessionName");
    const auto token = param("WebIdentityToken");
    std::vector<std::string> problems;
    if (!role_arn) problems.push_back("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    if (!session)
        problems.push_back("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
    else if (session->size() < 2 || session->size() > 64)
        problems.push_back("Value '" + *session +
                           "' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64");
    else if (!valid_session_name(*session))
        problems.push_back("Value '" + *session +
                           "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression "
                           "pattern: [\\w+=,.@-]*");
    if (assume_role) {
        if (const auto e = param("ExternalId"); e && (e->size() < 2 || e->size() > 1224))
            problems.push_back("Value at 'externalId' failed to satisfy constraint: Member must have length between 2 "
                               "and 1224");
    } else if (!token)
        problems.push_back("Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null");
    else if (token->size() < 4)
        problems.push_back("Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater "
                           "than or equal to 4");
    std::optional<std::int64_t> duration;
    if (const auto d = param("DurationSeconds")) {
        duration = parse_int(*d, 43200);
        if (!duration || *duration < 900) {
            problems.push_back("Value '" + *d +
                               "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 "
                               "and 43200");
            duration.reset();
        }
    }
    if (!problems.empty()) {
        std::string message = std::to_string(problems.size()) + " validation error" + (problems.size() > 1 ? "s" : "") +
                              " detected: ";
        for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
        return sts_error(400, "ValidationError", message);
    }
    if (!valid_role_arn(*role_arn)) return sts_error(400, "ValidationError", "Request ARN is invalid");
    if (assume_role) return assumed_role_reply(*role_arn, *session, param("ExternalId"), duration, caller, now_s);
    if (!settings_.web_identity_token.empty() &&
        !helix::aws::constant_time_equal(*token, settings_.web_identity_token))
        return sts_error(400, "InvalidIdentityToken",
                         "The web identity token is not valid (helix-cloudsim accepts only the token given by "
                         "--bedrock-web-identity-token)");

    const TemporaryCredentials c = store_.issue("sts", *role_arn, now_s, duration);
    return sts_credentials_reply("AssumeRoleWithWebIdentity",
                                 "    <SubjectFromWebIdentityToken>helix-sim-subject</SubjectFromWebIdentityToken>\n"
                                 "    <Audience>sts.amazonaws.com</Audience>\n",
                                 "    <Provider>helix-cloudsim</Provider>\n", c, *role_arn, *session,
                                 settings_.account_id);
}

std::optional<EndpointReply> CredentialEndpoints::sts_caller(const EndpointRequest &request, std::int64_t now_s,
                                                             std::optional<TemporaryCredentials> &caller) const {
    std::string host(request.header("Host").value_or(""));
    host = host.substr(0, host.find(':'));
    std::string region = settings_.region;
    for (const std::string_view prefix : {"sts-fips.", "sts."})
        if (host.starts_with(prefix) && host.ends_with(".amazonaws.com")) {
            const std::string rest = host.substr(prefix.size());
            region = rest.substr(0, rest.find('.'));
            break;
        }
    if (host == "sts.amazonaws.com") region = "us-east-1";
    helix::aws::VerifyOptions options;
    options.region = region;
    options.service = "sts";
    options.now = std::chrono::sys_seconds(std::chrono::seconds(now_s));
    bool expired = false;
    const auto lookup = [&](std::string_view akid) -> std::optional<helix::aws::VerifierSecret> {
        if (!settings_.access_key_id.empty() && akid == settings_.access_key_id)
            return helix::aws::VerifierSecret{settings_.secret_access_key, {}};
        if (auto issued = store_.find(akid)) {
            expired = issued->expires_at_s <= now_s;
            caller = issued;
            return helix::aws::VerifierSecret{issued->secret_access_key, issued->session_token};
        }
        return std::nullopt;
    };
    const helix::aws::VerifyResult result =
        helix::aws::verify({request.method, request.path, request.query, request.headers, request.body}, lookup, options);
    using helix::aws::VerifyError;
    switch (result.error) {
    case VerifyError::none:
        break;
    case VerifyError::missing_authorization:
        return sts_error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    case VerifyError::malformed_authorization:
    case VerifyError::unsupported_algorithm:
        return sts_error(400, "IncompleteSignature", result.message);
    case VerifyError::unknown_access_key:
    case VerifyError::invalid_session_token:
        return sts_error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    default:
        return sts_error(403, "SignatureDoesNotMatch", result.message);
    }
    if (expired) return sts_error(403, "ExpiredToken", "The security token included in the request is expired");
    return std::nullopt;
}

EndpointReply CredentialEndpoints::caller_identity_reply(const std::optional<TemporaryCredentials> &caller) const {
    const std::string account = caller ? account_of(caller->role_arn, settings_.account_id) : settings_.account_id;
    const std::string arn = caller ? "arn:aws:sts::" + account + ":assumed-role/" + role_name_of(caller->role_arn) +
                                         "/helix-sim"
                                   : "arn:aws:iam::" + account + ":user/helix-sim";
    const std::string user_id = caller ? "AROA" + caller->access_key_id.substr(4) + ":helix-sim" : "AIDAHELIXSIMUSER0001";
    const std::string request_id = random_uuid();
    EndpointReply r;
    r.content_type = "text/xml";
    r.headers.emplace_back("x-amzn-RequestId", request_id);
    r.body = "<GetCallerIdentityResponse xmlns=\"" + std::string(kStsNamespace) + "\">\n  <GetCallerIdentityResult>\n"
             "    <Arn>" + xml_escape(arn) + "</Arn>\n    <UserId>" + xml_escape(user_id) + "</UserId>\n"
             "    <Account>" + account + "</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n"
             "    <RequestId>" + request_id + "</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n";
    return r;
}

EndpointReply CredentialEndpoints::assumed_role_reply(const std::string &role_arn, const std::string &session,
                                                      const std::optional<std::string> &external_id,
                                                      std::optional<std::int64_t> duration,
                                                      const std::optional<TemporaryCredentials> &caller,
                                                      std::int64_t now_s) {
    const std::string caller_arn =
        caller ? "arn:aws:sts::" + account_of(caller->role_arn, settings_.account_id) + ":assumed-role/" +
                     role_name_of(caller->role_arn) + "/helix-sim"
               : "arn:aws:iam::" + settings_.account_id + ":user/helix-sim";
    // The role's trust policy: an ExternalId condition when one is configured.
    if (!settings_.external_id.empty() &&
        (!external_id || !helix::aws::constant_time_equal(*external_id, settings_.external_id)))
        return sts_error(403, "AccessDenied", "User: " + caller_arn +
                                                  " is not authorized to perform: sts:AssumeRole on resource: " +
                                                  role_arn);
    const bool chained = caller && caller->source == "sts-assume-role";
    if (chained && duration && *duration > kChainedRoleMaxSeconds)
        return sts_error(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for "
                                                 "roles assumed by role chaining.");
    std::optional<std::int64_t> ttl = duration;
    if (chained) ttl = std::min(ttl.value_or(store_.ttl_s()), kChainedRoleMaxSeconds);
    const TemporaryCredentials c = store_.issue("sts-assume-role", role_arn, now_s, ttl);
    return sts_credentials_reply("AssumeRole", "    <SourceIdentity>helix-sim</SourceIdentity>\n",
                                 "    <PackedPolicySize>6</PackedPolicySize>\n", c, role_arn, session,
                                 settings_.account_id);
}

EndpointReply CredentialEndpoints::sso(const EndpointRequest &request, std::int64_t now_s) {
    // The portal's restJson errors: x-amzn-ErrorType and {"message"}.
    const auto error = [](int status, std::string_view type, std::string_view message) {
        EndpointReply r = json_reply(status, json::object{{"message", message}});
        r.headers.emplace_back("x-amzn-ErrorType", std::string(type));
        return r;
    };
    if (request.method != "GET") return error(405, "InvalidRequestException", "Use GET");
    const auto token = request.header("x-amz-sso_bearer_token");
    if (!token || token->empty()) return error(401, "UnauthorizedException", "Session token not found or invalid");
    if (!helix::aws::constant_time_equal(*token, settings_.sso_access_token))
        return error(401, "UnauthorizedException", "Session token not found or invalid");
    const auto params = parse_form(request.query);
    const auto account = params.find("account_id");
    const auto role = params.find("role_name");
    if (account == params.end() || role == params.end() || account->second.empty() || role->second.empty())
        return error(400, "InvalidRequestException", "account_id and role_name are required");
    if (account->second != settings_.account_id) return error(403, "ForbiddenException", "No access");
    const TemporaryCredentials c =
        store_.issue("sso", "arn:aws:iam::" + account->second + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_" +
                                role->second + "_0123456789abcdef",
                     now_s);
    return json_reply(200, json::object{{"roleCredentials",
                                         json::object{{"accessKeyId", c.access_key_id},
                                                      {"secretAccessKey", c.secret_access_key},
                                                      {"sessionToken", c.session_token},
                                                      {"expiration", c.expires_at_s * 1000}}}});
}

} // namespace helix::cloudsim::aws_credentials
