#include "plugins/common/document_part.hpp"

#include "plugins/common/image_url.hpp"
#include "plugins/common/request_helpers.hpp"

#include <array>
#include <utility>

namespace helix::plugin_common {

std::string_view media_type_of_name(std::string_view name) {
    const std::string path = ascii_lower(name.substr(0, name.find_first_of("?#")));
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
        {".pdf", "application/pdf"},
        {".txt", "text/plain"},
        {".md", "text/markdown"},
        {".csv", "text/csv"},
        {".html", "text/html"},
        {".htm", "text/html"},
        {".doc", "application/msword"},
        {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {".xls", "application/vnd.ms-excel"},
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".mp4", "video/mp4"},
    }};
    for (const auto &[extension, type] : types)
        if (path.ends_with(extension)) return type;
    return {};
}

DocumentPart document_part(const helix_content_part &p, const std::string &param) {
    DocumentPart d;
    d.source = p.source;
    std::string_view type = helix::sdk::view(p.media_type);
    type = type.substr(0, type.find(';'));
    d.media_type = ascii_lower(type);
    d.filename = helix::sdk::view(p.filename);
    if (p.source == HELIX_SOURCE_BYTES) {
        if (p.data == nullptr || p.data_len == 0) invalid(param + " has no data", param);
        d.bytes = std::string_view(reinterpret_cast<const char *>(p.data), p.data_len);
        if (d.media_type.empty()) invalid(param + " has no media type", param);
    } else if (p.source == HELIX_SOURCE_URL || p.source == HELIX_SOURCE_FILE_URI) {
        d.uri = helix::sdk::view(p.uri);
        if (d.uri.empty()) invalid(param + " has no URI", param);
        if (d.media_type.empty()) d.media_type = media_type_of_name(d.uri);
        if (d.media_type.empty()) d.media_type = media_type_of_name(d.filename);
    } else {
        invalid(param + " has no source", param);
    }
    return d;
}

std::string base64_encode(std::string_view bytes) {
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(4 * ((bytes.size() + 2) / 3));
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + k])); };
        const std::uint32_t group = (b(0) << 16) | (b(1) << 8) | b(2);
        for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(group >> shift) & 63]);
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2) group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        out.push_back(kAlphabet[(group >> 18) & 63]);
        out.push_back(kAlphabet[(group >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(group >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

} // namespace helix::plugin_common
