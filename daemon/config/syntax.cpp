#include "daemon/config/syntax.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <string>

namespace helix::config {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

} // namespace

bool is_secret_name(std::string_view key) {
    std::string folded;
    folded.reserve(key.size());
    for (const char c : key) {
        folded.push_back(lower(c));
    }
    constexpr std::array<std::string_view, 5> kMarkers{"key", "secret", "token", "password", "credential"};
    for (const std::string_view marker : kMarkers) {
        if (folded.find(marker) != std::string::npos) {
            return true;
        }
    }
    return false;
}

bool is_provider_name(std::string_view name) {
    if (name.empty() || name.front() == '-') {
        return false;
    }
    for (const char c : name) {
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-')) {
            return false;
        }
    }
    return true;
}

bool is_key_name(std::string_view name) {
    if (name.empty() || name.size() > 64) {
        return false;
    }
    for (const char c : name) {
        if (!(is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

bool is_listen_address(std::string_view address) {
    if (address.empty() || address.size() > 253) {
        return false;
    }
    const std::string text{address};
    std::array<unsigned char, 16> buffer{};
    if (inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 || inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1) {
        return true;
    }
    // Host name: dot-separated labels of letters, digits and inner hyphens.
    // All-digit dotted text that inet_pton rejected ("300.1.1.1") is a typo, not a host.
    bool has_alpha = false;
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '.') {
            const std::size_t length = i - label_start;
            if (length == 0 || length > 63 || text[label_start] == '-' || text[i - 1] == '-') {
                return false;
            }
            label_start = i + 1;
            continue;
        }
        const char c = text[i];
        if (is_alpha(c)) {
            has_alpha = true;
        } else if (!is_digit(c) && c != '-') {
            return false;
        }
    }
    return has_alpha;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    if (text.empty() || !is_digit(text.front())) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    const auto value = parse_unsigned(text);
    if (!value || *value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(*value);
}

} // namespace helix::config
