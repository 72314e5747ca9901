#include "plugins/aws_bedrock/credential_fetch.hpp"

#include <string>

namespace helix::aws_bedrock {

using helix::sdk::Error;

helix::sdk::HttpResponse fetch_credentials(const helix::sdk::Host &host, const helix::sdk::HttpRequest &request,
                                           std::chrono::milliseconds timeout, std::string_view source) {
    try {
        return host.fetch(request, timeout);
    } catch (const Error &e) {
        if (e.status() == HELIX_ERR_WOULD_BLOCK) throw; // the host asks again off its event loop
        const std::string why = e.what();
        // Connection failures and timeouts are transient (HELIX_ERR_RETRY from the host).
        throw Error(e.status() == HELIX_ERR_INTERNAL ? HELIX_ERR_INTERNAL : HELIX_ERR_RETRY,
                    std::string(source) + " did not answer" + (why.empty() ? std::string() : " (" + why + ")"), 503);
    }
}

void source_failed(std::string_view source, int status, std::string_view detail) {
    std::string message = std::string(source) + " answered HTTP " + std::to_string(status);
    if (!detail.empty()) message += " (" + std::string(detail) + ")";
    if (status == 429 || status >= 500)
        throw Error(HELIX_ERR_RETRY, message + "; AWS credentials are unavailable", 503);
    throw Error(HELIX_ERR_AUTH, message + "; no AWS credentials could be obtained", 502, 0, "upstream_auth_failed");
}

bool has_control_character(std::string_view s) noexcept {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return true;
    }
    return false;
}

std::string_view trim_blanks(std::string_view s) noexcept {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

} // namespace helix::aws_bedrock
