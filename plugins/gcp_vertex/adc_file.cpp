#include "plugins/gcp_vertex/adc_file.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/common/local_file.hpp"
#include "plugins/common/token_fetch.hpp"
#include "plugins/common/upstream_error.hpp"
#include "plugins/gcp_common/service_account.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>

namespace helix::gcp_vertex {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::sdk::Error;

constexpr std::size_t kMaxSubjectTokenBytes = 64 * 1024;
constexpr std::chrono::seconds kTokenTimeout{10};

json::object parse_object(std::string_view text, const std::string &path) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) adc_config_error(path, "is not a JSON object");
    return std::move(v.get_object());
}

std::string required(const json::object &o, std::string_view key, const std::string &path) {
    const auto v = pj::string_member(o, key);
    if (!v || v->empty()) adc_config_error(path, "has no \"" + std::string(key) + "\"");
    return std::string(*v);
}

// "2026-01-01T00:00:00Z" / "...00.123456Z" -> ms since the epoch.
std::optional<std::int64_t> rfc3339_ms(std::string_view t) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (t.size() < 20 || std::sscanf(std::string(t.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h,
                                     &mi, &s) != 6 || t.back() != 'Z')
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
    const std::int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
    return (days * 86400 + h * 3600 + mi * 60 + s) * 1000;
}

helix::sdk::HttpResponse fetch(const helix::sdk::Host &host, const helix::sdk::HttpRequest &request,
                               std::string_view source) {
    try {
        return host.fetch(request, kTokenTimeout);
    } catch (const Error &e) {
        if (e.status() == HELIX_ERR_WOULD_BLOCK) throw; // the host asks again off its event loop
        throw Error(e.status() == HELIX_ERR_INTERNAL ? HELIX_ERR_INTERNAL : HELIX_ERR_RETRY,
                    std::string(source) + " did not answer (" + e.what() + ")", 503);
    }
}

// A refused OAuth request: the status's meaning plus OAuth's error code (never the description: it can echo input).
[[noreturn]] void refused(const helix::sdk::HttpResponse &r, std::string_view source) {
    std::string code;
    boost::system::error_code ec;
    const json::value v = json::parse(r.body, ec);
    if (!ec && v.is_object()) {
        code = std::string(pj::string_or_empty(v.get_object(), "error").substr(0, 64));
        if (code.empty())
            if (const json::object *e = pj::object_member(v.get_object(), "error"))
                code = std::string(pj::string_or_empty(*e, "status").substr(0, 64));
    }
    for (char &c : code)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '?';
    helix::plugin_common::check_token_status(r.status,
                                             std::string(source) + (code.empty() ? "" : " (" + code + ")"));
    throw Error(HELIX_ERR_AUTH, std::string(source) + " answered HTTP 200 without a token", 502);
}

FetchedToken oauth_token(const helix::sdk::HttpResponse &r, std::string_view source, const helix::sdk::Host &host) {
    if (r.status != 200) refused(r, source);
    std::string error;
    const auto token = helix::gcp::parse_token_response(r.body, error);
    if (!token || token->access_token.empty() || adc_has_control(token->access_token))
        throw Error(HELIX_ERR_AUTH, std::string(source) + " answered without a usable access token", 502);
    return {token->access_token, host.now_unix_ms() + (token->expires_in > 0 ? token->expires_in : 60) * 1000};
}

std::string subject_token(const ExternalAccount &a, const helix::sdk::Host &host) {
    if (a.aws) return aws_subject_token(*a.aws, a.audience, host);
    if (a.executable)
        return executable_subject_token(*a.executable,
                                        {a.audience, a.subject_token_type, impersonated_email(a.impersonation_url)}, host);
    std::string raw;
    if (!a.source_file.empty()) {
        const auto text = helix::plugin_common::read_local_file(a.source_file, kMaxSubjectTokenBytes, "subject token file");
        if (!text) throw Error(HELIX_ERR_CONFIG, "the workload identity subject token file '" + a.source_file +
                                                     "' does not exist");
        raw = *text;
    } else {
        helix::sdk::HttpRequest request;
        request.method = "GET";
        request.url = a.source_url;
        for (const auto &[name, value] : a.source_headers) request.add_header(name, value);
        const helix::sdk::HttpResponse r = fetch(host, request, "the subject token URL");
        helix::plugin_common::check_token_status(r.status, "the workload identity subject token URL");
        raw = r.body;
    }
    std::string token;
    if (!a.json_field.empty()) {
        boost::system::error_code ec;
        const json::value v = json::parse(raw, ec);
        const auto field = !ec && v.is_object() ? pj::string_member(v.get_object(), a.json_field) : std::nullopt;
        if (!field) throw Error(HELIX_ERR_AUTH, "the workload identity subject token has no \"" + a.json_field + "\" member", 502);
        token = std::string(*field);
    } else {
        token = raw;
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    }
    if (token.empty()) throw Error(HELIX_ERR_AUTH, "the workload identity subject token is empty", 502);
    return token;
}

} // namespace

void adc_config_error(const std::string &path, const std::string &what) {
    throw Error(HELIX_ERR_CONFIG, "settings.credentials_file '" + path + "': " + what);
}

bool adc_has_control(std::string_view s) noexcept {
    for (const char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
    return false;
}

std::string adc_url(std::string value, std::string_view key, const std::string &path) {
    if (!value.starts_with("https://") && !value.starts_with("http://"))
        adc_config_error(path, "\"" + std::string(key) + "\" is not an http(s) URL");
    if (adc_has_control(value)) adc_config_error(path, "\"" + std::string(key) + "\" contains a control character");
    return value;
}

std::string impersonated_email(std::string_view url) {
    constexpr std::string_view marker = "/serviceAccounts/";
    const auto at = url.find(marker);
    if (at == std::string_view::npos) return {};
    const std::string_view rest = url.substr(at + marker.size());
    return std::string(rest.substr(0, rest.find(':')));
}

std::string credentials_file_type(std::string_view json_text) {
    boost::system::error_code ec;
    const json::value v = json::parse(json_text, ec);
    if (ec || !v.is_object()) return {}; // the service-account parser names the problem
    return std::string(pj::string_or_empty(v.get_object(), "type"));
}

AuthorizedUser parse_authorized_user(std::string_view json_text, const std::string &path) {
    const json::object o = parse_object(json_text, path);
    AuthorizedUser u;
    u.client_id = required(o, "client_id", path);
    u.client_secret = required(o, "client_secret", path);
    u.refresh_token = required(o, "refresh_token", path);
    u.quota_project_id = std::string(pj::string_or_empty(o, "quota_project_id"));
    u.token_uri = adc_url(std::string(pj::string_member(o, "token_uri").value_or(helix::gcp::kGoogleTokenUri)),
                           "token_uri", path);
    if (adc_has_control(u.quota_project_id)) adc_config_error(path, "\"quota_project_id\" contains a control character");
    return u;
}

ExternalAccount parse_external_account(std::string_view json_text, const std::string &path) {
    const json::object o = parse_object(json_text, path);
    ExternalAccount a;
    a.audience = required(o, "audience", path);
    a.subject_token_type = required(o, "subject_token_type", path);
    a.token_url = adc_url(std::string(pj::string_member(o, "token_url").value_or("https://sts.googleapis.com/v1/token")),
                           "token_url", path);
    const json::object *source = pj::object_member(o, "credential_source");
    if (source == nullptr) adc_config_error(path, "has no \"credential_source\"");
    if (source->contains("environment_id")) {
        a.aws = parse_aws_source(*source, path);
    } else if (const json::object *executable = pj::object_member(*source, "executable")) {
        a.executable = parse_executable_source(*executable, path);
    } else if (const auto file = pj::string_member(*source, "file")) {
        a.source_file = std::string(*file);
    } else if (const auto url = pj::string_member(*source, "url")) {
        a.source_url = adc_url(std::string(*url), "credential_source.url", path);
    } else {
        adc_config_error(path, "has a credential_source without \"file\", \"url\", \"executable\" or \"environment_id\"");
    }
    if (const json::object *headers = pj::object_member(*source, "headers"))
        for (const auto &[name, value] : *headers) {
            if (!value.is_string() || adc_has_control(value.get_string()) || adc_has_control(name))
                adc_config_error(path, "has a credential_source header that is not a one-line string");
            a.source_headers.emplace(std::string(name), std::string(value.get_string()));
        }
    if (const json::object *format = pj::object_member(*source, "format")) {
        const std::string_view type = pj::string_or_empty(*format, "type");
        if (type == "json") a.json_field = required(*format, "subject_token_field_name", path);
        else if (!type.empty() && type != "text") adc_config_error(path, "has a credential_source format other than text or json");
    }
    if (const auto url = pj::string_member(o, "service_account_impersonation_url"))
        a.impersonation_url = adc_url(std::string(*url), "service_account_impersonation_url", path);
    if (const json::object *imp = pj::object_member(o, "service_account_impersonation")) {
        const auto lifetime = pj::int_member(*imp, "token_lifetime_seconds");
        if (lifetime) {
            if (*lifetime < 600 || *lifetime > 43200)
                adc_config_error(path, "service_account_impersonation.token_lifetime_seconds must be in 600..43200");
            a.lifetime_s = *lifetime;
        }
    }
    a.quota_project_id = std::string(pj::string_or_empty(o, "quota_project_id"));
    a.workforce_pool_user_project = std::string(pj::string_or_empty(o, "workforce_pool_user_project"));
    if (adc_has_control(a.quota_project_id) || adc_has_control(a.workforce_pool_user_project))
        adc_config_error(path, "has a project with a control character");
    return a;
}

helix::sdk::HttpRequest refresh_token_request(const AuthorizedUser &u) {
    using helix::gcp::form_encode;
    helix::sdk::HttpRequest r;
    r.method = "POST";
    r.url = u.token_uri;
    r.add_header("Content-Type", "application/x-www-form-urlencoded");
    r.body = "grant_type=refresh_token&client_id=" + form_encode(u.client_id) +
             "&client_secret=" + form_encode(u.client_secret) + "&refresh_token=" + form_encode(u.refresh_token);
    return r;
}

helix::sdk::HttpRequest sts_exchange_request(const ExternalAccount &a, std::string_view subject) {
    using helix::gcp::form_encode;
    helix::sdk::HttpRequest r;
    r.method = "POST";
    r.url = a.token_url;
    r.add_header("Content-Type", "application/x-www-form-urlencoded");
    r.body = "grant_type=" + form_encode(kTokenExchangeGrantType) + "&audience=" + form_encode(a.audience) +
             "&scope=" + form_encode(helix::gcp::kCloudPlatformScope) +
             "&requested_token_type=" + form_encode(kAccessTokenType) + "&subject_token=" + form_encode(subject) +
             "&subject_token_type=" + form_encode(a.subject_token_type);
    // Workforce pools bill a project when no service account is impersonated.
    if (!a.workforce_pool_user_project.empty() && a.impersonation_url.empty())
        r.body += "&options=" + form_encode(json::serialize(json::object{{"userProject", a.workforce_pool_user_project}}));
    return r;
}

helix::sdk::HttpRequest impersonation_request(const ExternalAccount &a, std::string_view sts_token) {
    helix::sdk::HttpRequest r;
    r.method = "POST";
    r.url = a.impersonation_url;
    r.add_header("Authorization", "Bearer " + std::string(sts_token));
    r.add_header("Content-Type", "application/json");
    r.body = json::serialize(json::object{{"scope", json::array{helix::gcp::kCloudPlatformScope}},
                                          {"lifetime", std::to_string(a.lifetime_s) + "s"}});
    return r;
}

FetchedToken fetch_authorized_user_token(const AuthorizedUser &user, const helix::sdk::Host &host) {
    constexpr std::string_view source = "Google's token endpoint (authorized_user refresh token)";
    return oauth_token(fetch(host, refresh_token_request(user), source), source, host);
}

FetchedToken fetch_external_account_token(const ExternalAccount &account, const helix::sdk::Host &host) {
    const std::string subject = subject_token(account, host);
    constexpr std::string_view sts = "Google STS (workload identity token exchange)";
    FetchedToken federated = oauth_token(fetch(host, sts_exchange_request(account, subject), sts), sts, host);
    if (account.impersonation_url.empty()) return federated;

    constexpr std::string_view iam = "the IAM credentials API (generateAccessToken)";
    const helix::sdk::HttpResponse r = fetch(host, impersonation_request(account, federated.value), iam);
    if (r.status != 200) refused(r, iam);
    boost::system::error_code ec;
    const json::value v = json::parse(r.body, ec);
    const json::object *o = ec ? nullptr : v.if_object();
    const auto token = o != nullptr ? pj::string_member(*o, "accessToken") : std::nullopt;
    if (!token || token->empty() || adc_has_control(*token))
        throw Error(HELIX_ERR_AUTH, std::string(iam) + " answered without a usable accessToken", 502);
    const auto expires = rfc3339_ms(o != nullptr ? pj::string_or_empty(*o, "expireTime") : "");
    return {std::string(*token), expires.value_or(host.now_unix_ms() + 60 * 1000)};
}

} // namespace helix::gcp_vertex
