#pragma once
// How the host hands an upstream response it holds to a plugin: ABI views
// into the host's own strings, valid while those strings live.

#include <helixagent/plugin_abi.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helix::plugins {

inline std::vector<helix_header> header_views(const std::vector<std::pair<std::string, std::string>> &headers) {
    std::vector<helix_header> views;
    views.reserve(headers.size());
    for (const auto &[name, value] : headers)
        views.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
    return views;
}

inline helix_http_response response_view(int status, const std::vector<helix_header> &headers, std::string_view body) {
    helix_http_response r{};
    r.struct_size = sizeof r;
    r.status = status;
    r.headers = headers.data();
    r.header_count = headers.size();
    r.data = reinterpret_cast<const std::uint8_t *>(body.data());
    r.len = body.size();
    return r;
}

} // namespace helix::plugins
