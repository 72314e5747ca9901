#pragma once
// Helpers shared by the aws_common tests and fuzz targets: reading the
// vector files, and the plain-text HTTP requests of the SigV4 suites.

#include "plugins/aws_common/event_stream.hpp"
#include "plugins/aws_common/sigv4.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace helix::aws {
// For Boost.Test's messages.
inline std::ostream &operator<<(std::ostream &os, VerifyError e) { return os << to_string(e); }
inline std::ostream &operator<<(std::ostream &os, DecodeError e) { return os << to_string(e); }
inline std::ostream &operator<<(std::ostream &os, EncodeError e) { return os << to_string(e); }
inline std::ostream &operator<<(std::ostream &os, HeaderType t) { return os << static_cast<int>(t); }
inline std::ostream &operator<<(std::ostream &os, const Message &m) {
    os << "{headers:[";
    for (const auto &h : m.headers) {
        os << h.name << "(type " << header_type(h.value) << ")=";
        std::visit(
            [&](const auto &v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::string>)
                    os << '"' << v << '"';
                else if constexpr (std::is_same_v<T, ByteArray> || std::is_same_v<T, Uuid>)
                    os << "<bytes>";
                else if constexpr (std::is_same_v<T, Timestamp>)
                    os << v.ms_since_epoch << "ms";
                else
                    os << static_cast<long long>(v);
            },
            h.value);
        os << ' ';
    }
    return os << "] payload:" << m.payload.size() << " bytes}";
}
} // namespace helix::aws

namespace helix::aws::test {

#ifdef HELIX_SOURCE_DIR
inline std::filesystem::path testdata_dir() {
    return std::filesystem::path(HELIX_SOURCE_DIR) / "tests" / "plugins" / "aws_common" / "testdata";
}
#endif

inline std::string read_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
    in.seekg(0);
    if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
        throw std::runtime_error("cannot read " + path.string());
    return bytes;
}

// A request in the suites' text form:
//   METHOD SP request-target SP HTTP/1.1 LF
//   Name:value LF            (a line starting with whitespace continues the
//   ...                       previous value; it is joined with one space)
//   LF body
// The request target may contain spaces ("/example space/"), so the method
// ends at the first space and the version starts at the last one. Lenient:
// never throws, whatever the text (the fuzz target feeds it arbitrary bytes).
struct TextRequest {
    std::string method;
    std::string path;
    std::string query;
    std::vector<HttpHeader> headers;
    std::string body;
};

inline TextRequest parse_text_request(std::string_view text) {
    TextRequest r;
    auto next_line = [&](std::string_view &line) {
        if (text.empty()) return false;
        const std::size_t nl = text.find('\n');
        line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return true;
    };
    std::string_view line;
    if (!next_line(line)) return r;
    const std::size_t first = line.find(' ');
    const std::size_t last = line.rfind(' ');
    r.method = std::string(line.substr(0, first));
    std::string_view target;
    if (first != std::string_view::npos) target = last > first ? line.substr(first + 1, last - first - 1) : line.substr(first + 1);
    const std::size_t q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
    while (next_line(line)) {
        if (line.empty()) {
            r.body = std::string(text);
            break;
        }
        if ((line.front() == ' ' || line.front() == '\t') && !r.headers.empty()) {
            std::size_t i = 0;
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            r.headers.back().value += ' ';
            r.headers.back().value += line.substr(i);
            continue;
        }
        const std::size_t colon = line.find(':');
        HttpHeader h;
        h.name = std::string(line.substr(0, colon));
        if (colon != std::string_view::npos) {
            std::string_view v = line.substr(colon + 1);
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
            h.value = std::string(v);
        }
        r.headers.push_back(std::move(h));
    }
    return r;
}

inline std::string lowercase(std::string_view s) {
    std::string out(s);
    for (auto &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The value of the first header with this name (case ignored), or "".
inline std::string header_value(const std::vector<HttpHeader> &headers, std::string_view name) {
    for (const auto &h : headers)
        if (lowercase(h.name) == lowercase(name)) return h.value;
    return {};
}

} // namespace helix::aws::test
