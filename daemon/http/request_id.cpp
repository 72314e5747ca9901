#include "daemon/http/request_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <chrono>

namespace helix::http {

namespace {

bool acceptable(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == ':';
        if (!ok) return false;
    }
    return true;
}

} // namespace

std::string request_id_for(std::string_view offered) {
    if (acceptable(offered)) return std::string(offered);
    std::array<unsigned char, 12> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        // Never fails on Linux in practice; stay unique anyway.
        static std::atomic<std::uint64_t> counter{0};
        const auto n = counter.fetch_add(1) ^ static_cast<std::uint64_t>(
                                                  std::chrono::steady_clock::now().time_since_epoch().count());
        for (std::size_t i = 0; i < 8; ++i) random[i] = static_cast<unsigned char>(n >> (8 * i));
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string id = "req_";
    for (const unsigned char b : random) {
        id += hex[b >> 4];
        id += hex[b & 0xF];
    }
    return id;
}

} // namespace helix::http
