#pragma once
// Latency and length knobs: command-line defaults, overridable per request by
// the headers x-sim-ttfb-ms, x-sim-token-delay-ms and x-sim-reply-tokens.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim {

struct Behaviour {
    std::chrono::milliseconds ttfb{0};         // before the response headers
    std::chrono::milliseconds token_delay{0};  // between two streamed tokens
    std::uint32_t reply_tokens = 20;           // length of a generated text reply
};

inline constexpr std::int64_t kMaxTtfbMs = 600'000;
inline constexpr std::int64_t kMaxTokenDelayMs = 60'000;
inline constexpr std::int64_t kMaxReplyTokens = 1'000'000;

// Parses a non-negative decimal no larger than `max`.
std::optional<std::int64_t> parse_bounded(std::string_view text, std::int64_t max);

// A header lookup: the value of a request header, if present.
using HeaderLookup = std::function<std::optional<std::string>(std::string_view name)>;

// `defaults` with the request's x-sim-* headers applied. On an invalid value,
// returns nullopt and sets `error`.
std::optional<Behaviour> behaviour_for_request(const Behaviour &defaults, const HeaderLookup &header, std::string &error);

} // namespace helix::cloudsim
