#include "tools/cloudsim/wire_util.hpp"

#include "tools/cloudsim/reply_generator.hpp"

#include <chrono>
#include <ctime>
#include <random>

namespace helix::cloudsim {

std::string utc_timestamp(std::int64_t unix_s, char separator) {
    const auto t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string out(buf);
    if (out.size() > 10) out[10] = separator;
    return out;
}

std::string random_id(std::string_view prefix, std::size_t length) {
    static constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // splitmix64 per thread: 8 bytes of state, as there may be 20,000 threads.
    thread_local std::uint64_t state = (static_cast<std::uint64_t>(std::random_device{}()) << 32U) ^
                                       static_cast<std::uint64_t>(std::random_device{}());
    std::string out(prefix);
    out.reserve(prefix.size() + length);
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < length; ++i) {
        if (i % 8 == 0) {
            std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
            z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
            bits = z ^ (z >> 31U);
        }
        out.push_back(alphabet[(bits & 0xFFU) % alphabet.size()]);
        bits >>= 8U;
    }
    return out;
}

std::int64_t unix_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::string_view> string_member(const boost::json::object &object, std::string_view key) {
    const auto *v = object.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string_view(v->get_string());
}

std::optional<std::uint64_t> uint_member(const boost::json::object &object, std::string_view key) {
    const auto *v = object.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return std::nullopt;
}

std::optional<bool> bool_member(const boost::json::object &object, std::string_view key) {
    const auto *v = object.if_contains(key);
    if (!v || !v->is_bool()) return std::nullopt;
    return v->get_bool();
}

void add_prompt_text(std::string &all, std::uint64_t &tokens, std::string_view text) {
    if (!all.empty()) all.push_back('\n');
    all.append(text);
    tokens += count_tokens(text);
}

} // namespace helix::cloudsim
