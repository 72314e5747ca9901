#pragma once
// Byte sizes as operators write them in YAML: "4MiB", "512KiB", "1GiB",
// "10MB", "100KB", "1024" (bytes).

#include <cstdint>
#include <optional>
#include <string_view>

namespace helix::config {

// Accepts an unsigned integer optionally followed by one unit:
// B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
// Units are case-sensitive, so "mb" (millibits?) is rejected rather than guessed.
// Returns nullopt for an empty string, a sign, a fraction, spaces, an unknown
// unit, or a value that overflows 64 bits.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

} // namespace helix::config
