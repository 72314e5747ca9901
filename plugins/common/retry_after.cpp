#include "plugins/common/retry_after.hpp"

#include <array>
#include <cmath>

namespace helix::plugin_common {

namespace {

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// "123" or "1.5": a non-negative decimal number; nullopt for anything else.
std::optional<double> parse_decimal(std::string_view s) noexcept {
    if (s.empty()) return std::nullopt;
    double value = 0;
    std::size_t i = 0;
    bool digits = false;
    for (; i < s.size() && is_digit(s[i]); ++i) {
        value = value * 10 + (s[i] - '0');
        digits = true;
    }
    if (i < s.size() && s[i] == '.') {
        double scale = 0.1;
        for (++i; i < s.size() && is_digit(s[i]); ++i) {
            value += (s[i] - '0') * scale;
            scale /= 10;
            digits = true;
        }
    }
    if (!digits || i != s.size()) return std::nullopt;
    return value;
}

std::uint32_t clamp_ms(double ms) noexcept {
    if (!(ms > 0)) return 0;
    const double up = std::ceil(ms);
    return up >= kMaxRetryAfterMs ? kMaxRetryAfterMs : static_cast<std::uint32_t>(up);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    static constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

std::optional<unsigned> month_number(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (unsigned i = 0; i < months.size(); ++i)
        if (name == months[i]) return i + 1;
    return std::nullopt;
}

// Reads exactly n digits at s[pos], advancing pos.
std::optional<unsigned> digits(std::string_view s, std::size_t &pos, std::size_t n) noexcept {
    if (pos + n > s.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_digit(s[pos + i])) return std::nullopt;
        v = v * 10 + static_cast<unsigned>(s[pos + i] - '0');
    }
    pos += n;
    return v;
}

bool literal(std::string_view s, std::size_t &pos, std::string_view lit) noexcept {
    if (s.substr(pos, lit.size()) != lit) return false;
    pos += lit.size();
    return true;
}

// "HH:MM:SS" at pos.
bool time_of_day(std::string_view s, std::size_t &pos, unsigned &h, unsigned &mi, unsigned &sec) noexcept {
    const auto hh = digits(s, pos, 2);
    if (!hh || !literal(s, pos, ":")) return false;
    const auto mm = digits(s, pos, 2);
    if (!mm || !literal(s, pos, ":")) return false;
    const auto ss = digits(s, pos, 2);
    if (!ss) return false;
    h = *hh;
    mi = *mm;
    sec = *ss;
    return h < 24 && mi < 60 && sec < 61; // 60: a leap second
}

std::optional<std::int64_t> to_unix_ms(std::int64_t y, unsigned m, unsigned d, unsigned h, unsigned mi,
                                       unsigned s) noexcept {
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
    const std::int64_t secs = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + (s > 59 ? 59 : s);
    return secs * 1000;
}

} // namespace

std::optional<std::uint32_t> parse_retry_after_ms_header(std::string_view value) noexcept {
    const auto v = parse_decimal(trim(value));
    if (!v) return std::nullopt;
    return clamp_ms(*v);
}

std::optional<std::int64_t> parse_http_date(std::string_view s) noexcept {
    s = trim(s);
    unsigned h = 0, mi = 0, sec = 0;
    const std::size_t comma = s.find(',');
    if (comma == 3) {
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        std::size_t pos = 4;
        if (!literal(s, pos, " ")) return std::nullopt;
        const auto d = digits(s, pos, 2);
        if (!d || !literal(s, pos, " ")) return std::nullopt;
        const auto m = month_number(s.substr(pos, 3));
        pos += 3;
        if (!m || !literal(s, pos, " ")) return std::nullopt;
        const auto y = digits(s, pos, 4);
        if (!y || !literal(s, pos, " ") || !time_of_day(s, pos, h, mi, sec)) return std::nullopt;
        if (!literal(s, pos, " GMT") || pos != s.size()) return std::nullopt;
        return to_unix_ms(*y, *m, *d, h, mi, sec);
    }
    if (comma != std::string_view::npos && comma > 3) {
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        std::size_t pos = comma + 1;
        if (!literal(s, pos, " ")) return std::nullopt;
        const auto d = digits(s, pos, 2);
        if (!d || !literal(s, pos, "-")) return std::nullopt;
        const auto m = month_number(s.substr(pos, 3));
        pos += 3;
        if (!m || !literal(s, pos, "-")) return std::nullopt;
        const auto yy = digits(s, pos, 2);
        if (!yy || !literal(s, pos, " ") || !time_of_day(s, pos, h, mi, sec)) return std::nullopt;
        if (!literal(s, pos, " GMT") || pos != s.size()) return std::nullopt;
        // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
        // Simplified to a fixed pivot: 00..69 -> 20xx, 70..99 -> 19xx.
        const std::int64_t year = *yy < 70 ? 2000 + *yy : 1900 + *yy;
        return to_unix_ms(year, *m, *d, h, mi, sec);
    }
    if (comma == std::string_view::npos && s.size() == 24) {
        // asctime: "Sun Nov  6 08:49:37 1994"
        std::size_t pos = 3;
        if (!literal(s, pos, " ")) return std::nullopt;
        const auto m = month_number(s.substr(pos, 3));
        pos += 3;
        if (!m || !literal(s, pos, " ")) return std::nullopt;
        unsigned d = 0;
        if (s[pos] == ' ') {
            ++pos;
            const auto d1 = digits(s, pos, 1);
            if (!d1) return std::nullopt;
            d = *d1;
        } else {
            const auto d2 = digits(s, pos, 2);
            if (!d2) return std::nullopt;
            d = *d2;
        }
        if (!literal(s, pos, " ") || !time_of_day(s, pos, h, mi, sec) || !literal(s, pos, " ")) return std::nullopt;
        const auto y = digits(s, pos, 4);
        if (!y || pos != s.size()) return std::nullopt;
        return to_unix_ms(*y, *m, d, h, mi, sec);
    }
    return std::nullopt;
}

std::optional<std::uint32_t> parse_retry_after(std::string_view value, std::int64_t now_unix_ms) noexcept {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (const auto seconds = parse_decimal(value)) return clamp_ms(*seconds * 1000.0);
    const auto when = parse_http_date(value);
    if (!when) return std::nullopt;
    if (*when <= now_unix_ms) return 0;
    return clamp_ms(static_cast<double>(*when - now_unix_ms));
}

std::uint32_t retry_after_from_headers(std::string_view retry_after_ms_value, std::string_view retry_after_value,
                                       std::int64_t now_unix_ms) noexcept {
    if (const auto ms = parse_retry_after_ms_header(retry_after_ms_value)) return *ms;
    if (const auto ms = parse_retry_after(retry_after_value, now_unix_ms)) return *ms;
    return 0;
}

} // namespace helix::plugin_common
