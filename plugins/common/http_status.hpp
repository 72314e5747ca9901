#pragma once
// What an upstream HTTP status means for the gateway (docs/providers.md, "What every translator does").
//
//   2xx                          HELIX_OK
//   401, 403, 407                HELIX_ERR_AUTH     the gateway's credentials were refused
//   408, 409, 429, 5xx (incl.    HELIX_ERR_RETRY    transient: retry or fail over
//   500, 502, 503, 504, 529)
//   anything else (4xx, 1xx,     HELIX_ERR_UPSTREAM permanent for this request
//   3xx, out of range)
//
// OpenAI and Anthropic may send `x-should-retry: true|false`; their SDKs let it
// override the status. classify_http_status(status, x_should_retry) does the
// same, except that it never turns an auth failure into something else:
// "false" makes a RETRY an UPSTREAM, "true" makes an UPSTREAM a RETRY.
// Provider-specific bodies that are not retryable although the status is (a
// 429 for an exhausted quota) are the plugin's to recognise.

#include <helixagent/plugin_abi.h>

#include <string_view>

namespace helix::plugin_common {

constexpr bool is_success_status(int status) noexcept { return status >= 200 && status <= 299; }

helix_status classify_http_status(int status) noexcept;
helix_status classify_http_status(int status, std::string_view x_should_retry) noexcept;

} // namespace helix::plugin_common
