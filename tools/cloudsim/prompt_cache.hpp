#pragma once
// The simulators' prompt cache: a request's prefix seen before is read from
// the cache, a new one is written to it, so a test can see cache tokens the
// way the real services report them.
//
// Explicit breakpoints (Anthropic cache_control, Converse cachePoint): the
// longest marked prefix already cached is read, and the prefix up to the last
// breakpoint beyond it is written. A prefix shorter than kMinCacheTokens is
// not cached (Anthropic and Bedrock ignore such a breakpoint).
// Automatic caching (OpenAI, Azure): every message boundary is a candidate,
// nothing is reported as written, and the read is rounded down to 1,024 +
// a multiple of 128 tokens, as OpenAI does.

#include "tools/cloudsim/reply_generator.hpp"

#include <cstdint>

namespace helix::cloudsim {

inline constexpr std::uint64_t kMinCacheTokens = 1024;

// Marks the prompt so far (its text and tokens) as a cacheable prefix.
void mark_cache_point(SimPrompt &prompt);

struct CacheUse {
    std::uint64_t read = 0;
    std::uint64_t write = 0;
};

// Looks `prompt`'s marked prefixes up in the process-wide cache and stores
// them; thread-safe.
CacheUse use_prompt_cache(const SimPrompt &prompt);

} // namespace helix::cloudsim
