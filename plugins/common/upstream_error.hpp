#pragma once
// Turning an upstream's failure into the helix::sdk::Error a plugin throws.
//
// The http_status put into the error follows what the host does with it
// (daemon/api/errors.hpp, from_plugin_error):
//   RETRY     the upstream's status (429 -> client 429, 408/504 -> 504, else 503)
//   UPSTREAM  the upstream's status when it is a 4xx other than 401/403/407
//             (the client's request was at fault: 400, 404, 413, 422 reach the
//             client unchanged, with the upstream's message, code and param);
//             502 otherwise
//   AUTH      502: the gateway's own credentials were refused, which is never
//             the client's fault. The message says so and, for 401, leaves out
//             the upstream's text (OpenAI echoes part of the key in it).
// Every message passes through redact() with the provider's secret.

#include "plugins/common/http_status.hpp"

#include <helixagent/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace helix::plugin_common {

// What the status line and headers of an upstream response said; captured on
// the first decode() because the headers are only valid during that call.
struct ResponseInfo {
    int status = 0;
    std::uint32_t retry_after_ms = 0; // retry-after-ms, else Retry-After; 0 = none
    std::string should_retry;         // x-should-retry, lower-case ("" if absent)
    std::string content_type;         // lower-case
};

ResponseInfo read_response_info(const helix_http_response &response, std::int64_t now_unix_ms);

// What the upstream's error body said (already extracted by the plugin).
struct UpstreamErrorDetail {
    std::string message; // the upstream's human-readable message
    std::string code;    // e.g. OpenAI error.code / Anthropic error.type
    std::string param;   // OpenAI error.param
};

// Replaces every occurrence of secret in text (a secret shorter than 4
// characters is not searched for: it would match ordinary words).
std::string redact(std::string text, std::string_view secret);

// The error for a non-2xx answer, classified by classify_http_status().
helix::sdk::Error http_error(const ResponseInfo &info, const UpstreamErrorDetail &detail, std::string_view secret);

// An error whose status the caller decided (provider-specific cases such as
// an exhausted quota, or an error event inside a 200 stream).
helix::sdk::Error make_error(helix_status status, int http_status, std::uint32_t retry_after_ms,
                             const UpstreamErrorDetail &detail, std::string_view secret);

} // namespace helix::plugin_common
