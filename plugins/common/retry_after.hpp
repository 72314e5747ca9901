#pragma once
// Retry-After (RFC 9110 section 10.2.3) and the retry-after-ms header that
// OpenAI, Azure OpenAI and Anthropic send.
//
// retry-after-ms: a non-negative number of milliseconds (a fraction is allowed
// and rounded up, as openai-node parses it with parseFloat).
// Retry-After: delay-seconds (digits; a fraction is tolerated), or an
// HTTP-date in any of the three forms RFC 9110 requires recipients to accept:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"
//   asctime      "Sun Nov  6 08:49:37 1994"
// A date in the past means "now" (0). Results are clamped to kMaxRetryAfterMs.
// Anything else is "not given" (std::nullopt).

#include <cstdint>
#include <optional>
#include <string_view>

namespace helix::plugin_common {

// Longer hints than a day are treated as a day: the router only needs to know
// "not soon", and the ABI field is 32-bit milliseconds.
inline constexpr std::uint32_t kMaxRetryAfterMs = 24u * 60u * 60u * 1000u;

// The value of a retry-after-ms header.
std::optional<std::uint32_t> parse_retry_after_ms_header(std::string_view value) noexcept;

// The value of a Retry-After header; now_unix_ms is needed for an HTTP-date.
std::optional<std::uint32_t> parse_retry_after(std::string_view value, std::int64_t now_unix_ms) noexcept;

// An HTTP-date (any of the three forms) as milliseconds since the Unix epoch.
std::optional<std::int64_t> parse_http_date(std::string_view value) noexcept;

// retry-after-ms first (it is more precise), else Retry-After; 0 when neither
// gives a usable value. Header values as found (any case of the names is the
// caller's business).
std::uint32_t retry_after_from_headers(std::string_view retry_after_ms_value, std::string_view retry_after_value,
                                       std::int64_t now_unix_ms) noexcept;

} // namespace helix::plugin_common
