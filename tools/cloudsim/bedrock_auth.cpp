#include "tools/cloudsim/bedrock_auth.hpp"

#include <cctype>
#include <span>

namespace helix::cloudsim::bedrock {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
}

std::optional<std::string_view> find_header(std::span<const helix::aws::HttpHeader> headers, std::string_view name) {
    for (const auto &h : headers) {
        if (iequals(h.name, name)) return std::string_view(h.value);
    }
    return std::nullopt;
}

AuthFailure failure(int status, std::string type, std::string message, std::string key = "message") {
    return AuthFailure{status, std::move(type), std::move(message), std::move(key)};
}

} // namespace

std::string expected_region(std::string_view host, std::string_view configured) {
    if (const auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
        host = host.substr(0, colon);
    for (const std::string_view prefix : {"bedrock-runtime-fips.", "bedrock-runtime."}) {
        if (!host.starts_with(prefix)) continue;
        const std::string_view rest = host.substr(prefix.size());
        const auto dot = rest.find('.');
        if (dot == std::string_view::npos || dot == 0) break;
        const std::string_view suffix = rest.substr(dot + 1);
        if (suffix == "amazonaws.com" || suffix == "api.aws" || suffix == "amazonaws.com.cn")
            return std::string(rest.substr(0, dot));
        break;
    }
    return std::string(configured);
}

std::optional<AuthFailure> authenticate(const helix::aws::ReceivedRequest &request, const AuthConfig &config,
                                        const aws_credentials::CredentialStore &store, std::chrono::sys_seconds now) {
    const auto authorization = find_header(request.headers, "authorization");
    if (authorization && authorization->size() >= 7 && iequals(authorization->substr(0, 7), "Bearer ")) {
        const std::string_view key = authorization->substr(7);
        if (!key.starts_with("ABSK") && !helix::aws::constant_time_equal(key, config.api_key))
            return failure(403, "AccessDeniedException", "Invalid API Key format: Must start with pre-defined prefix",
                           "Message");
        if (!helix::aws::constant_time_equal(key, config.api_key))
            return failure(403, "AccessDeniedException", "Authentication failed: Please make sure your API Key is valid.",
                           "Message");
        return std::nullopt;
    }

    const std::string region = expected_region(find_header(request.headers, "host").value_or(""), config.region);
    helix::aws::VerifyOptions options;
    options.region = region == kAnyRegion ? std::string_view() : std::string_view(region);
    options.service = kSigningName;
    options.now = now;

    bool expired = false;
    const auto lookup = [&](std::string_view akid) -> std::optional<helix::aws::VerifierSecret> {
        if (akid == config.access_key_id) return helix::aws::VerifierSecret{config.secret_access_key, {}};
        if (const auto issued = store.find(akid)) {
            expired = issued->expires_at_s <= now.time_since_epoch().count();
            return helix::aws::VerifierSecret{issued->secret_access_key, issued->session_token};
        }
        return std::nullopt;
    };
    const helix::aws::VerifyResult result = helix::aws::verify(request, lookup, options);
    if (!result.ok())
        return failure(helix::aws::http_status(result.error), std::string(helix::aws::aws_error_code(result.error)),
                       result.message);
    if (expired) return failure(403, "ExpiredTokenException", "The security token included in the request is expired");
    return std::nullopt;
}

} // namespace helix::cloudsim::bedrock
