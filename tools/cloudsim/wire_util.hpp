#pragma once
// Small helpers the provider wire modules share: identifiers, clock, JSON
// member access.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim {

// `prefix` followed by `length` random base-62 characters (unique enough for
// request and response ids; not deterministic).
std::string random_id(std::string_view prefix, std::size_t length);

std::int64_t unix_seconds();
// "2026-01-01T00:00:00Z" (UTC, whole seconds); `separator` replaces the 'T'.
std::string utc_timestamp(std::int64_t unix_s, char separator = 'T');

// The member `key` of `object` if it is a string / a non-negative integer / a bool.
std::optional<std::string_view> string_member(const boost::json::object &object, std::string_view key);
std::optional<std::uint64_t> uint_member(const boost::json::object &object, std::string_view key);
std::optional<bool> bool_member(const boost::json::object &object, std::string_view key);

// Appends `text` to `all` (newline-separated) and counts its tokens into `tokens`.
void add_prompt_text(std::string &all, std::uint64_t &tokens, std::string_view text);

} // namespace helix::cloudsim
