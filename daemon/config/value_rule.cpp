#include "daemon/config/value_rule.hpp"

#include "daemon/config/byte_size.hpp"
#include "daemon/config/duration.hpp"
#include "daemon/config/syntax.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <vector>

namespace helix::config {

ValueRule<std::uint64_t> whole_number(std::uint64_t min) {
    return {[min](std::string_view text) -> std::optional<std::uint64_t> {
                const auto parsed = parse_unsigned(text);
                if (!parsed || *parsed < min) return std::nullopt;
                return parsed;
            },
            "a whole number >= " + std::to_string(min)};
}

ValueRule<std::uint64_t> byte_size(std::uint64_t min) {
    return {[min](std::string_view text) -> std::optional<std::uint64_t> {
                const auto parsed = parse_byte_size(text);
                if (!parsed || *parsed < min) return std::nullopt;
                return parsed;
            },
            "a size of at least " + std::to_string(min) + " bytes such as 512KiB, 4MiB or 1048576"};
}

ValueRule<std::chrono::milliseconds> duration(bool allow_zero) {
    return {[allow_zero](std::string_view text) -> std::optional<std::chrono::milliseconds> {
                const auto parsed = parse_duration(text);
                if (!parsed || (!allow_zero && parsed->count() == 0)) return std::nullopt;
                return parsed;
            },
            std::string{allow_zero ? "a duration" : "a positive duration"} + " such as 500ms, 30s, 2m or 1m30s"};
}

ValueRule<std::string> one_of(std::initializer_list<std::string_view> choices) {
    std::vector<std::string> words(choices.begin(), choices.end());
    std::string list;
    for (const std::string &word : words) list += (list.empty() ? "" : ", ") + word;
    return {[words = std::move(words)](std::string_view text) -> std::optional<std::string> {
                for (const std::string &word : words)
                    if (word == text) return word;
                return std::nullopt;
            },
            "one of " + list};
}

bool is_true(std::string_view text) { return text == "true" || text == "True" || text == "TRUE"; }
bool is_false(std::string_view text) { return text == "false" || text == "False" || text == "FALSE"; }

ValueRule<bool> boolean() {
    return {[](std::string_view text) -> std::optional<bool> {
                if (is_true(text)) return true;
                if (is_false(text)) return false;
                return std::nullopt;
            },
            "true or false"};
}

ValueRule<double> number(double min) {
    return {[min](std::string_view text) -> std::optional<double> {
                try {
                    const std::string copy{text};
                    std::size_t used = 0;
                    const double d = std::stod(copy, &used);
                    if (used == copy.size() && std::isfinite(d) && d >= min) return d;
                } catch (const std::exception &) {
                }
                return std::nullopt;
            },
            "a number of at least " + std::to_string(min).substr(0, 4)};
}

ValueRule<std::int64_t> calendar_date() {
    return {[](std::string_view text) -> std::optional<std::int64_t> {
                if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
                const auto field = [&](std::size_t at, std::size_t len) -> std::optional<unsigned> {
                    unsigned n = 0;
                    const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + len, n);
                    if (ec != std::errc{} || end != text.data() + at + len) return std::nullopt;
                    return n;
                };
                const auto y = field(0, 4), m = field(5, 2), d = field(8, 2);
                if (!y || !m || !d) return std::nullopt;
                const std::chrono::year_month_day day{std::chrono::year(static_cast<int>(*y)), std::chrono::month(*m),
                                                      std::chrono::day(*d)};
                if (!day.ok() || *y < 1970) return std::nullopt;
                return std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::sys_days(day).time_since_epoch())
                    .count();
            },
            "a date YYYY-MM-DD"};
}

} // namespace helix::config
