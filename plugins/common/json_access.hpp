#pragma once
// Small, allocation-free readers for Boost.JSON values of untrusted shape:
// every accessor answers "absent" instead of throwing when a member is
// missing or has another type.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace helix::plugin_common::json {

inline const boost::json::value *member(const boost::json::object &o, std::string_view key) noexcept {
    return o.if_contains(key);
}

inline const boost::json::object *object_member(const boost::json::object &o, std::string_view key) noexcept {
    const boost::json::value *v = o.if_contains(key);
    return v != nullptr ? v->if_object() : nullptr;
}

inline const boost::json::array *array_member(const boost::json::object &o, std::string_view key) noexcept {
    const boost::json::value *v = o.if_contains(key);
    return v != nullptr ? v->if_array() : nullptr;
}

// The string value, or nullopt when absent, null or not a string.
inline std::optional<std::string_view> string_member(const boost::json::object &o, std::string_view key) noexcept {
    const boost::json::value *v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    const boost::json::string &s = v->get_string();
    return std::string_view(s.data(), s.size());
}

inline std::string_view string_or_empty(const boost::json::object &o, std::string_view key) noexcept {
    return string_member(o, key).value_or(std::string_view{});
}

// An integer (or an integral double such as 12.0), or nullopt.
inline std::optional<std::int64_t> int_member(const boost::json::object &o, std::string_view key) noexcept {
    const boost::json::value *v = o.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) {
        const std::uint64_t u = v->get_uint64();
        return u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(u);
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (d >= -9.0e18 && d <= 9.0e18 && static_cast<double>(static_cast<std::int64_t>(d)) == d)
            return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

inline std::int64_t int_or_zero(const boost::json::object &o, std::string_view key) noexcept {
    return int_member(o, key).value_or(0);
}

} // namespace helix::plugin_common::json
