#pragma once
// How one typed configuration value is parsed and what an error says is
// expected: the one rule every section applies to its numbers, sizes,
// durations, choices and flags (SectionReader::value reads with it).

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace helix::config {

template <class T>
struct ValueRule {
    std::function<std::optional<T>(std::string_view)> parse; // nullopt: the text is not a valid T
    std::string expected;                                    // "expected <this>, got ..."
};

// A decimal integer of at least `min`.
ValueRule<std::uint64_t> whole_number(std::uint64_t min);
// A byte size (4MiB, 512KiB, 1048576) of at least `min` bytes.
ValueRule<std::uint64_t> byte_size(std::uint64_t min);
// A duration (500ms, 30s, 1m30s); zero only if `allow_zero`.
ValueRule<std::chrono::milliseconds> duration(bool allow_zero);
// One of a fixed list of words.
ValueRule<std::string> one_of(std::initializer_list<std::string_view> choices);
// true or false only: "yes"/"on" are YAML 1.1 habits that silently mean
// strings elsewhere, so they are rejected rather than guessed.
ValueRule<bool> boolean();
// A finite decimal number of at least `min`.
ValueRule<double> number(double min);

// A calendar date YYYY-MM-DD (UTC), as seconds since the epoch at its 00:00.
ValueRule<std::int64_t> calendar_date();

// The boolean spellings, for readers that accept more words than these two.
bool is_true(std::string_view text);
bool is_false(std::string_view text);

} // namespace helix::config
