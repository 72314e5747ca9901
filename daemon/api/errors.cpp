#include "daemon/api/errors.hpp"

#include "daemon/api/response_common.hpp"

#include <cstddef>
#include <cstring>

namespace helix::api {

namespace {

ApiError make(int status, std::string type, std::string message, std::string param = {}, std::string code = {}) {
    ApiError e;
    e.status = status;
    e.type = std::move(type);
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

// A NUL-terminated field of a helix_error, read safely even if the plugin
// forgot the terminator, and repaired if it is not UTF-8.
template <std::size_t N>
std::string field(const char (&text)[N]) {
    return detail::sanitize_utf8(std::string_view(text, strnlen(text, N)));
}

bool has_field(const helix_error *err, std::size_t end_offset) {
    return err != nullptr && err->struct_size >= end_offset;
}

} // namespace

ApiError invalid_request(std::string message, std::string param, std::string code) {
    return make(400, "invalid_request_error", std::move(message), std::move(param), std::move(code));
}

ApiError model_not_found(std::string_view model) {
    return make(404, "invalid_request_error",
                "The model '" + detail::sanitize_utf8(model.substr(0, 256)) +
                    "' does not exist or is not served by this gateway. GET /v1/models lists the models you can "
                    "use, as provider/model (e.g. openai/gpt-4o) or as a configured alias.",
                "model", "model_not_found");
}

ApiError body_too_large(std::size_t limit_bytes) {
    return make(413, "invalid_request_error",
                "The request body is larger than this gateway accepts (" + std::to_string(limit_bytes) +
                    " bytes). Send a smaller request, e.g. fewer or smaller images.",
                "", "request_too_large");
}

ApiError feature_not_supported(std::string_view model, std::string_view feature, std::string param) {
    return make(400, "invalid_request_error",
                "The model '" + detail::sanitize_utf8(model.substr(0, 256)) + "' does not support " +
                    std::string(feature) + ". Choose another model (GET /v1/models) or change the request.",
                std::move(param), "unsupported_parameter");
}

ApiError rate_limited(std::string_view detail_text, std::uint32_t retry_after_ms) {
    std::string message = "Rate limit reached";
    if (!detail_text.empty()) message += ": " + detail::sanitize_utf8(detail_text);
    message += '.';
    if (retry_after_ms > 0) {
        const std::uint32_t seconds = (retry_after_ms + 999U) / 1000U;
        message += " Please retry after " + std::to_string(seconds) + (seconds == 1U ? " second." : " seconds.");
    }
    ApiError e = make(429, "requests", std::move(message), "", "rate_limit_exceeded");
    e.retry_after_ms = retry_after_ms;
    return e;
}

ApiError bad_gateway(std::string message) { return make(502, "upstream_error", std::move(message), "", "bad_gateway"); }

ApiError service_unavailable(std::string message) {
    return make(503, "server_error", std::move(message), "", "service_unavailable");
}

ApiError overloaded(std::string_view what, std::string_view setting, std::size_t limit) {
    ApiError e = make(503, "server_error",
                      "The gateway is serving its maximum of " + std::to_string(limit) + " " + std::string(what) + " (" +
                          std::string(setting) + "); retry shortly.",
                      "", "server_overloaded");
    e.retry_after_ms = 1000;
    return e;
}

ApiError gateway_timeout(std::string message) {
    return make(504, "timeout", std::move(message), "", "upstream_timeout");
}

ApiError internal_error(std::string message) {
    return make(500, "server_error", std::move(message), "", "internal_error");
}

ApiError from_plugin_error(helix_status status, const helix_error *err, std::string_view provider_name) {
    const std::string provider = detail::sanitize_utf8(provider_name);
    int http_status = 0;
    std::uint32_t retry_after_ms = 0;
    std::string code;
    std::string param;
    std::string message;
    if (has_field(err, offsetof(helix_error, http_status) + sizeof(err->http_status))) http_status = err->http_status;
    if (has_field(err, offsetof(helix_error, retry_after_ms) + sizeof(err->retry_after_ms))) {
        retry_after_ms = err->retry_after_ms;
    }
    if (has_field(err, offsetof(helix_error, code) + sizeof(err->code))) code = field(err->code);
    if (has_field(err, offsetof(helix_error, param) + sizeof(err->param))) param = field(err->param);
    if (has_field(err, offsetof(helix_error, message) + sizeof(err->message))) message = field(err->message);
    const auto described = [&](std::string_view fallback) {
        return provider + ": " + (message.empty() ? std::string(fallback) : message);
    };

    switch (status) {
    case HELIX_ERR_INVALID_REQUEST:
    case HELIX_ERR_NOT_SUPPORTED:
        return make(400, "invalid_request_error", described("the request cannot be sent to this provider"),
                    std::move(param),
                    code.empty() && status == HELIX_ERR_NOT_SUPPORTED ? std::string("unsupported_parameter")
                                                                      : std::move(code));
    case HELIX_ERR_UPSTREAM:
        if (http_status == 429) return rate_limited(described("rate limited"), retry_after_ms);
        if (http_status >= 400 && http_status < 500 && http_status != 401 && http_status != 403 &&
            http_status != 407) {
            return make(http_status, "invalid_request_error", described("the provider rejected the request"),
                        std::move(param), std::move(code));
        }
        return make(502, "upstream_error", described("the provider failed"), "",
                    code.empty() ? std::string("upstream_error") : std::move(code));
    case HELIX_ERR_RETRY:
        if (http_status == 429) return rate_limited(described("rate limited"), retry_after_ms);
        if (http_status == 408 || http_status == 504) {
            return gateway_timeout(described("the provider did not answer in time"));
        }
        return service_unavailable(described("the provider is temporarily unavailable"));
    case HELIX_ERR_AUTH:
        return make(502, "upstream_error", described("the provider refused the gateway's credentials"), "",
                    "upstream_auth_failed");
    case HELIX_ERR_PROTOCOL:
        return make(502, "upstream_error", described("the provider's response could not be read"), "",
                    "upstream_protocol_error");
    case HELIX_ERR_CONFIG:
        return make(503, "server_error", described("the provider is not configured correctly"), "",
                    "provider_misconfigured");
    case HELIX_OK:
    case HELIX_ERR_INTERNAL:
    default:
        return internal_error(described("internal error"));
    }
}

} // namespace helix::api
