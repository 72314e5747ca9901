#pragma once
// A response head the host keeps for a plugin's decode() calls (the ABI
// hands the same headers on every call for one response): every name and
// value in one block of bytes, with the ABI views into it. A held stream
// keeps its head for minutes; one block costs two allocations, where a
// vector of string pairs costs one or two for each header.

#include <helixagent/plugin_abi.h>

#include <string>
#include <utility>
#include <vector>

namespace helix::plugins {

class HeldHeaders {
public:
    HeldHeaders() = default;
    HeldHeaders(const HeldHeaders &) = delete; // the views point into this one's bytes
    HeldHeaders &operator=(const HeldHeaders &) = delete;

    void assign(const std::vector<std::pair<std::string, std::string>> &headers) {
        std::size_t size = 0;
        for (const auto &[name, value] : headers) size += name.size() + value.size();
        bytes_.clear();
        bytes_.shrink_to_fit();
        bytes_.reserve(size);
        for (const auto &[name, value] : headers) {
            bytes_ += name;
            bytes_ += value;
        }
        // The views are taken once every byte is in: the block no longer moves.
        views_.clear();
        views_.reserve(headers.size());
        const char *at = bytes_.data();
        for (const auto &[name, value] : headers) {
            views_.push_back({{at, name.size()}, {at + name.size(), value.size()}});
            at += name.size() + value.size();
        }
    }

    const std::vector<helix_header> &views() const noexcept { return views_; }

private:
    std::string bytes_;
    std::vector<helix_header> views_;
};

} // namespace helix::plugins
