#include "plugins/common/upstream_error.hpp"

#include "plugins/common/retry_after.hpp"

namespace helix::plugin_common {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string trimmed_lower(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return lower(s);
}

} // namespace

ResponseInfo read_response_info(const helix_http_response &response, std::int64_t now_unix_ms) {
    ResponseInfo info;
    info.status = response.status;
    info.retry_after_ms = retry_after_from_headers(helix::sdk::find_header(response, "retry-after-ms"),
                                                   helix::sdk::find_header(response, "retry-after"), now_unix_ms);
    info.should_retry = trimmed_lower(helix::sdk::find_header(response, "x-should-retry"));
    info.content_type = trimmed_lower(helix::sdk::find_header(response, "content-type"));
    return info;
}

std::string redact(std::string text, std::string_view secret) {
    if (secret.size() < 4) return text;
    static constexpr std::string_view kMask = "[redacted]";
    for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + kMask.size()))
        text.replace(pos, secret.size(), kMask);
    return text;
}

helix::sdk::Error make_error(helix_status status, int http_status, std::uint32_t retry_after_ms,
                             const UpstreamErrorDetail &detail, std::string_view secret) {
    return helix::sdk::Error(status, redact(detail.message, secret), http_status, retry_after_ms,
                             redact(detail.code, secret), redact(detail.param, secret));
}

helix::sdk::Error http_error(const ResponseInfo &info, const UpstreamErrorDetail &detail, std::string_view secret) {
    const helix_status status = classify_http_status(info.status, info.should_retry);
    const std::string http = "HTTP " + std::to_string(info.status);
    UpstreamErrorDetail d = detail;
    switch (status) {
    case HELIX_ERR_AUTH: {
        std::string what = http + (detail.code.empty() ? "" : ", " + detail.code);
        d.message = info.status == 403
                        ? "the upstream refused the gateway's credentials or their permissions (" + what + ")" +
                              (detail.message.empty() ? "" : ": " + detail.message)
                        : "the upstream rejected the gateway's credentials (" + what +
                              "); check this provider's api_key setting";
        d.code = "upstream_auth_failed";
        d.param.clear();
        return make_error(status, 502, 0, d, secret);
    }
    case HELIX_ERR_RETRY:
        if (d.message.empty()) d.message = "the upstream answered " + http;
        d.param.clear();
        return make_error(status, info.status, info.retry_after_ms, d, secret);
    default: {
        const bool client_fault = info.status >= 400 && info.status <= 499;
        if (d.message.empty()) d.message = "the upstream answered " + http;
        if (!client_fault) d.param.clear();
        return make_error(HELIX_ERR_UPSTREAM, client_fault ? info.status : 502, info.retry_after_ms, d, secret);
    }
    }
}

} // namespace helix::plugin_common
