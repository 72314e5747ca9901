#pragma once
// Durations as operators write them in YAML and in the *_TIMEOUT environment
// variables: "500ms", "60s", "2m", "1h", "1m30s", or a bare integer (seconds).

#include <chrono>
#include <optional>
#include <string_view>

namespace helix::config {

// Parses a non-negative duration. Compound forms must list units from the
// largest to the smallest, each at most once ("1h30m", "1m30s500ms").
// Returns nullopt for an empty string, a sign, a fraction, an unknown unit,
// spaces, or a value that does not fit in std::chrono::milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

} // namespace helix::config
