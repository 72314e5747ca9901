#include "daemon/config/byte_size.hpp"

#include <array>
#include <limits>

namespace helix::config {
namespace {

struct Unit {
    std::string_view suffix;
    std::uint64_t bytes;
};

constexpr std::uint64_t kKi = 1024;
constexpr std::array<Unit, 9> kUnits{{
    {"B", 1},
    {"KB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"TB", 1'000'000'000'000},
    {"KiB", kKi},
    {"MiB", kKi * kKi},
    {"GiB", kKi * kKi * kKi},
    {"TiB", kKi * kKi * kKi * kKi},
}};

} // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t number = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (number > (kMax - digit) / 10) {
            return std::nullopt;
        }
        number = number * 10 + digit;
    }
    if (i == 0) {
        return std::nullopt;
    }
    const std::string_view suffix = text.substr(i);
    if (suffix.empty()) {
        return number;
    }
    for (const Unit &unit : kUnits) {
        if (suffix == unit.suffix) {
            if (number > kMax / unit.bytes) {
                return std::nullopt;
            }
            return number * unit.bytes;
        }
    }
    return std::nullopt;
}

} // namespace helix::config
