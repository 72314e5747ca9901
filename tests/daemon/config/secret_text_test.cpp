#define BOOST_TEST_MODULE config_secret_text
#include <boost/test/unit_test.hpp>

#include "daemon/config/config.hpp"
#include "daemon/config/secret_text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <type_traits>
#include <string>
#include <vector>

using helix::config::WipingAllocator;

namespace {

// What each buffer held at the moment it was given back, and how many were.
struct Freed {
    static inline std::vector<std::string> contents;
};

template <class T>
struct RecordingAllocator {
    using value_type = T;
    RecordingAllocator() = default;
    template <class U>
    RecordingAllocator(const RecordingAllocator<U> &) noexcept {}
    T *allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T *p, std::size_t n) noexcept {
        Freed::contents.emplace_back(reinterpret_cast<const char *>(p), n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U>
    bool operator==(const RecordingAllocator<U> &) const noexcept { return true; }
};

using Recorded = std::basic_string<char, std::char_traits<char>, WipingAllocator<char, RecordingAllocator<char>>>;

bool all_zero(const std::string &bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

} // namespace

BOOST_AUTO_TEST_CASE(every_buffer_is_wiped_before_it_is_freed) {
    Freed::contents.clear();
    {
        Recorded text(R"({"api_key":"sk-provider-secret-0123456789"})");
        for (int i = 0; i < 8; ++i) text += text; // grows: each old buffer is freed on the way
    }
    BOOST_TEST_REQUIRE(Freed::contents.size() >= 2u); // reallocations and the last buffer
    for (const std::string &bytes : Freed::contents) {
        BOOST_TEST(bytes.find("sk-provider-secret") == std::string::npos);
        BOOST_TEST(all_zero(bytes));
    }
}

BOOST_AUTO_TEST_CASE(a_short_text_is_still_on_the_heap) {
    // A string's inline buffer would keep it in the object, past the allocator.
    const auto text = helix::config::secret_text("{\"k\":\"s\"}");
    BOOST_TEST(text == "{\"k\":\"s\"}");
    BOOST_TEST(static_cast<const void *>(text.data()) != static_cast<const void *>(&text));
    BOOST_TEST(text.capacity() >= 16u);
}

BOOST_AUTO_TEST_CASE(serialize_secret_writes_what_boost_json_writes) {
    const boost::json::value v = boost::json::parse(
        R"({"api_key":"sk-x","nested":{"list":[1,2.5,true,null,"a\"b"]},"long":")" + std::string(2000, 'y') + "\"}");
    const auto text = helix::config::serialize_secret(v);
    BOOST_TEST(std::string(text.data(), text.size()) == boost::json::serialize(v));
}

// The configuration and each provider instance keep the settings (with their
// credentials) only as SecretText.
static_assert(std::is_same_v<decltype(helix::config::ProviderConfig::settings_json), helix::config::SecretText>);
