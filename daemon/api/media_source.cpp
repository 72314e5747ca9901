#include "daemon/api/media_source.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace helix::api {

namespace {

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out) c = lower(c);
    return out;
}

bool starts_with_nocase(std::string_view s, std::string_view lower_prefix) noexcept {
    if (s.size() < lower_prefix.size()) return false;
    for (std::size_t i = 0; i < lower_prefix.size(); ++i)
        if (lower(s[i]) != lower_prefix[i]) return false;
    return true;
}

bool is_token_char(char c) noexcept { // RFC 6838 restricted-name characters
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' || c == '#' ||
           c == '$' || c == '&' || c == '-' || c == '^' || c == '_' || c == '.' || c == '+';
}

// The host of an http(s) URL, lower-case ("" for none).
std::string host_of(std::string_view url) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    std::string_view rest = url.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    if (!rest.empty() && rest.front() != '[') rest = rest.substr(0, rest.find(':'));
    return lower(rest);
}

std::string_view path_of(std::string_view url) {
    const std::size_t scheme = url.find("://");
    const std::size_t slash = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    return slash == std::string_view::npos ? std::string_view() : url.substr(slash);
}

} // namespace

bool is_media_type(std::string_view t) noexcept {
    const std::size_t slash = t.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= t.size() || t.size() > 255) return false;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (i != slash && !is_token_char(t[i])) return false;
    return true;
}

std::optional<DataUrl> decode_data_url(std::string_view url) {
    if (!starts_with_nocase(url, "data:")) return std::nullopt;
    const std::size_t comma = url.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    const std::string_view meta = url.substr(5, comma - 5);
    const std::size_t semicolon = meta.find(';');
    bool base64 = false;
    for (std::size_t pos = semicolon; pos != std::string_view::npos;) {
        const std::size_t next = meta.find(';', pos + 1);
        const std::string_view param = meta.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
        if (lower(param) == "base64") base64 = true;
        pos = next;
    }
    DataUrl out;
    out.media_type = lower(meta.substr(0, semicolon));
    if (!base64 || !is_media_type(out.media_type)) return std::nullopt;
    if (out.media_type == "image/jpg") out.media_type = "image/jpeg";
    auto bytes = base64_decode(url.substr(comma + 1));
    if (!bytes || bytes->empty()) return std::nullopt;
    out.bytes = std::move(*bytes);
    return out;
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    std::size_t written = 0;
    // EVP_EncodeBlock takes an int length: large inputs go in pieces of whole 3-byte groups.
    constexpr std::size_t kPiece = 3 * 1024 * 1024;
    for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
        const std::size_t n = std::min(kPiece, bytes.size() - at);
        written += static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data() + written),
                                                            reinterpret_cast<const unsigned char *>(bytes.data() + at),
                                                            static_cast<int>(n)));
    }
    out.resize(written);
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    static constexpr std::array<signed char, 256> kValues = [] {
        std::array<signed char, 256> v{};
        v.fill(-1);
        for (int i = 0; i < 26; ++i) {
            v[static_cast<std::size_t>('A' + i)] = static_cast<signed char>(i);
            v[static_cast<std::size_t>('a' + i)] = static_cast<signed char>(26 + i);
        }
        for (int i = 0; i < 10; ++i) v[static_cast<std::size_t>('0' + i)] = static_cast<signed char>(52 + i);
        v[static_cast<std::size_t>('+')] = 62;
        v[static_cast<std::size_t>('/')] = 63;
        return v;
    }();
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') ++padding;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::uint32_t group = 0;
        const bool last = i + 4 == text.size();
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            int value = 0;
            if (c == '=') {
                if (!last || k < 4 - padding) return std::nullopt;
            } else {
                value = kValues[static_cast<unsigned char>(c)];
                if (value < 0) return std::nullopt;
            }
            group = (group << 6) | static_cast<std::uint32_t>(value);
        }
        out.push_back(static_cast<char>((group >> 16) & 0xff));
        if (!last || padding < 2) out.push_back(static_cast<char>((group >> 8) & 0xff));
        if (!last || padding < 1) out.push_back(static_cast<char>(group & 0xff));
    }
    return out;
}

bool is_http_url(std::string_view url) noexcept {
    return (starts_with_nocase(url, "https://") && url.size() > 8) || (starts_with_nocase(url, "http://") && url.size() > 7);
}

bool is_provider_file_uri(std::string_view url) noexcept {
    if (starts_with_nocase(url, "gs://") || starts_with_nocase(url, "s3://")) return url.size() > 5;
    if (!is_http_url(url)) return false;
    try {
        const std::string host = host_of(url);
        const std::string_view path = path_of(url);
        if (host == "generativelanguage.googleapis.com") return path.find("/files/") != std::string_view::npos;
        if (host == "youtu.be") return path.size() > 1;
        if (host == "youtube.com" || host == "www.youtube.com" || host == "m.youtube.com")
            return path.starts_with("/watch") || path.starts_with("/shorts/");
    } catch (...) { // allocation failure: treated as a plain URL
    }
    return false;
}

} // namespace helix::api
