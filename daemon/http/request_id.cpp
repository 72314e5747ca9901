#include "daemon/http/request_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

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

// SplitMix64's finaliser: a bijection on 64-bit values.
std::uint64_t mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::array<std::uint64_t, 2> process_key() {
    std::array<unsigned char, 16> bytes{};
    std::array<std::uint64_t, 2> key{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1) {
        for (std::size_t i = 0; i < 16; ++i) key[i / 8] |= static_cast<std::uint64_t>(bytes[i]) << (8 * (i % 8));
    } else {
        // Never fails on Linux in practice; ids stay unique anyway (the counter).
        const auto now = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
        key = {mix(now), mix(~now)};
    }
    return key;
}

} // namespace

std::string request_id_for(std::string_view offered) {
    if (acceptable(offered)) return std::string(offered);
    // Unique, not secret: a process-wide counter through SplitMix64's
    // finaliser (a bijection, so no two counts give the same id), keyed once
    // per process. RAND_bytes per request cost 3 % of a request's CPU and gave
    // every pool thread OpenSSL generator state of its own (2.7 KiB, which
    // 10,000 streaming threads hold at once).
    static const std::array<std::uint64_t, 2> key = process_key();
    static std::atomic<std::uint64_t> counter{0};
    const std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t high = mix(n ^ key[0]);
    const std::uint64_t low = mix(n ^ key[1]);
    std::array<unsigned char, 12> random{};
    for (std::size_t i = 0; i < 8; ++i) random[i] = static_cast<unsigned char>(high >> (8 * i));
    for (std::size_t i = 0; i < 4; ++i) random[8 + i] = static_cast<unsigned char>(low >> (8 * i));
    static constexpr char hex[] = "0123456789abcdef";
    std::string id = "req_";
    id.reserve(4 + 2 * random.size());
    for (const unsigned char b : random) {
        id += hex[b >> 4];
        id += hex[b & 0xF];
    }
    return id;
}

} // namespace helix::http
