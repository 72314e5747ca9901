#include "daemon/config/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace helix::config {
namespace {

struct Unit {
    std::string_view suffix;
    std::int64_t millis;
    int rank; // a compound value must use strictly increasing ranks (h, m, s, ms)
};

// "ms" is tried before "m" so the longer suffix wins.
constexpr std::array<Unit, 4> kUnits{{
    {"h", 3'600'000, 0},
    {"ms", 1, 3},
    {"m", 60'000, 1},
    {"s", 1'000, 2},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads the leading digits of `text` into `value`; false on overflow.
bool take_number(std::string_view &text, std::int64_t &value) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    value = 0;
    std::size_t i = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
        const std::int64_t digit = text[i] - '0';
        if (value > (kMax - digit) / 10) {
            return false;
        }
        value = value * 10 + digit;
    }
    text.remove_prefix(i);
    return true;
}

} // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    using Rep = std::chrono::milliseconds::rep;
    constexpr std::int64_t kMax = std::numeric_limits<Rep>::max();

    if (text.empty() || !is_digit(text.front())) {
        return std::nullopt;
    }
    std::int64_t total = 0;
    int last_rank = -1;
    while (!text.empty()) {
        if (!is_digit(text.front())) {
            return std::nullopt;
        }
        std::int64_t number = 0;
        if (!take_number(text, number)) {
            return std::nullopt;
        }
        std::int64_t unit_millis = 0;
        int unit_rank = -1;
        if (text.empty()) {
            // A bare number means seconds, but only on its own: "1m30" is ambiguous.
            if (last_rank != -1) {
                return std::nullopt;
            }
            unit_millis = 1'000;
        } else {
            for (const Unit &unit : kUnits) {
                if (text.starts_with(unit.suffix)) {
                    unit_millis = unit.millis;
                    unit_rank = unit.rank;
                    text.remove_prefix(unit.suffix.size());
                    break;
                }
            }
            if (unit_millis == 0) {
                return std::nullopt;
            }
            if (unit_rank <= last_rank) {
                return std::nullopt; // "30s1m", "1s1s"
            }
            last_rank = unit_rank;
        }
        if (number > (kMax - total) / unit_millis) {
            return std::nullopt;
        }
        total += number * unit_millis;
    }
    return std::chrono::milliseconds{static_cast<Rep>(total)};
}

} // namespace helix::config
