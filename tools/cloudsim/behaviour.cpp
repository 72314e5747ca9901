#include "tools/cloudsim/behaviour.hpp"

#include <charconv>

namespace helix::cloudsim {

std::optional<std::int64_t> parse_bounded(std::string_view text, std::int64_t max) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size() || v < 0 || v > max) return std::nullopt;
    return v;
}

std::optional<Behaviour> behaviour_for_request(const Behaviour &defaults, const HeaderLookup &header, std::string &error) {
    Behaviour b = defaults;
    struct Knob {
        std::string_view name;
        std::int64_t max;
    };
    for (const Knob knob : {Knob{"x-sim-ttfb-ms", kMaxTtfbMs}, Knob{"x-sim-token-delay-ms", kMaxTokenDelayMs},
                            Knob{"x-sim-reply-tokens", kMaxReplyTokens}}) {
        const auto raw = header(knob.name);
        if (!raw) continue;
        const auto v = parse_bounded(*raw, knob.max);
        if (!v || (knob.name == "x-sim-reply-tokens" && *v == 0)) {
            error = std::string(knob.name) + ": expected an integer in [" +
                    (knob.name == "x-sim-reply-tokens" ? "1" : "0") + ", " + std::to_string(knob.max) + "], got '" +
                    *raw + "'";
            return std::nullopt;
        }
        if (knob.name == "x-sim-ttfb-ms") b.ttfb = std::chrono::milliseconds(*v);
        else if (knob.name == "x-sim-token-delay-ms") b.token_delay = std::chrono::milliseconds(*v);
        else b.reply_tokens = static_cast<std::uint32_t>(*v);
    }
    return b;
}

} // namespace helix::cloudsim
