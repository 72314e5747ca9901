#include "plugins/aws_bedrock/assume_role.hpp"

#include "plugins/aws_bedrock/credential_fetch.hpp"
#include "plugins/common/upstream_error.hpp"

namespace helix::aws_bedrock {

namespace {

using helix::sdk::Error;

std::string form_value(std::string_view v) { return helix::aws::uri_encode(v, false); }

std::string lower_host(std::string_view url) {
    const auto parts = helix::aws::split_url(url);
    if (!parts) return {};
    std::string host = parts->host.substr(0, parts->host.find(':'));
    for (char &c : host)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return host;
}

std::string redacted(std::string text, const helix::aws::Credentials &base) {
    text = helix::plugin_common::redact(std::move(text), base.secret_access_key);
    return helix::plugin_common::redact(std::move(text), base.session_token);
}

} // namespace

std::string sts_signing_region(std::string_view sts_endpoint, std::string_view fallback_region) {
    const std::string host = lower_host(sts_endpoint);
    if (host == "sts.amazonaws.com") return "us-east-1";
    for (const std::string_view prefix : {"sts-fips.", "sts."}) {
        if (!host.starts_with(prefix)) continue;
        const std::string_view rest = std::string_view(host).substr(prefix.size());
        const std::size_t dot = rest.find('.');
        if (dot != std::string_view::npos && dot > 0 && rest.substr(dot + 1).starts_with("amazonaws.com"))
            return std::string(rest.substr(0, dot));
    }
    return std::string(fallback_region);
}

helix::sdk::HttpRequest assume_role_request(const Settings &settings, const helix::aws::Credentials &base,
                                            const RoleToAssume &role, std::int64_t now_ms) {
    helix::sdk::HttpRequest request;
    request.method = "POST";
    request.url = settings.sts_endpoint + "/";
    const std::string session = role.session_name.empty() ? "helixagent-" + std::to_string(now_ms) : role.session_name;
    request.body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + form_value(role.role_arn) +
                   "&RoleSessionName=" + form_value(session);
    if (!role.external_id.empty()) request.body += "&ExternalId=" + form_value(role.external_id);
    if (role.duration_seconds) request.body += "&DurationSeconds=" + std::to_string(*role.duration_seconds);

    const auto url = helix::aws::split_url(request.url);
    if (!url) throw Error(HELIX_ERR_CONFIG, "settings.sts_endpoint is not a usable URL");
    std::vector<helix::aws::HttpHeader> headers{{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
    const std::string region = sts_signing_region(settings.sts_endpoint, settings.region);
    helix::aws::SigningOptions options;
    options.region = region;
    options.service = "sts";
    options.time = std::chrono::sys_seconds(std::chrono::seconds(now_ms / 1000));
    const helix::aws::SigningResult signature =
        helix::aws::sign({request.method, url->path, url->query, url->host, headers, request.body, ""}, base, options);
    if (!signature.ok()) throw Error(HELIX_ERR_INTERNAL, "signing the STS AssumeRole request failed: " + signature.error);
    helix::aws::apply_signature(headers, signature);
    for (auto &h : headers) request.add_header(std::move(h.name), std::move(h.value));
    return request;
}

TimedCredentials assume_role(const Settings &settings, const helix::sdk::Host &host,
                             const helix::aws::Credentials &base, const RoleToAssume &role) {
    const std::int64_t now = host.now_unix_ms();
    const helix::sdk::HttpRequest request = assume_role_request(settings, base, role, now);
    const std::string source = "STS (" + settings.sts_endpoint + ") AssumeRole for " + role.where;
    const helix::sdk::HttpResponse response = fetch_credentials(host, request, kStsTimeout, source);
    if (response.status != 200) {
        // STS's code and message name the role and the caller, never a secret;
        // they are redacted anyway.
        const std::string code = redacted(xml_element_text(response.body, "Code").value_or("").substr(0, 64), base);
        const std::string message =
            redacted(xml_element_text(response.body, "Message").value_or("").substr(0, 300), base);
        if (code == "Throttling" || code == "ThrottlingException")
            throw Error(HELIX_ERR_RETRY, source + " was throttled", 503);
        source_failed(source, response.status, code + (message.empty() ? "" : (code.empty() ? "" : ": ") + message));
    }
    TimedCredentials c = parse_sts_credentials(response.body, now);
    c.source = role.where + " (STS AssumeRole " + role.role_arn + ")";
    return c;
}

} // namespace helix::aws_bedrock
