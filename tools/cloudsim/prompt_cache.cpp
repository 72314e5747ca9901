#include "tools/cloudsim/prompt_cache.hpp"

#include <mutex>
#include <vector>
#include <unordered_set>

namespace helix::cloudsim {

namespace {

class PromptCache {
public:
    CacheUse use(const SimPrompt &prompt) {
        CacheUse out;
        // The same text cached for another model is not this model's.
        const std::uint64_t model = fnv1a(prompt.model);
        std::vector<SimPrompt::CachePoint> points = prompt.cache_points;
        for (auto &p : points) p.key ^= model * 0x9E3779B97F4A7C15ULL;
        std::lock_guard lock(mutex_);
        std::size_t hit = points.size();
        for (std::size_t i = points.size(); i-- > 0;) {
            if (points[i].tokens >= kMinCacheTokens && seen_.contains(points[i].key)) {
                hit = i;
                break;
            }
        }
        if (hit < points.size()) out.read = points[hit].tokens;
        if (seen_.size() > kMaxEntries) seen_.clear(); // bounded; a real cache expires too
        for (const SimPrompt::CachePoint &p : points)
            if (p.tokens >= kMinCacheTokens) seen_.insert(p.key);
        if (prompt.automatic_cache) {
            out.read = out.read < kMinCacheTokens ? 0 : kMinCacheTokens + (out.read - kMinCacheTokens) / 128 * 128;
            return out;
        }
        for (std::size_t i = points.size(); i-- > 0;) {
            if (points[i].tokens < kMinCacheTokens) continue;
            if (hit == points.size() || i > hit) out.write = points[i].tokens - out.read;
            break;
        }
        return out;
    }

private:
    static constexpr std::size_t kMaxEntries = 100'000;
    std::mutex mutex_;
    std::unordered_set<std::uint64_t> seen_;
};

PromptCache &cache() {
    static PromptCache instance;
    return instance;
}

} // namespace

void mark_cache_point(SimPrompt &prompt) {
    const std::uint64_t key = fnv1a(prompt.all_text);
    if (!prompt.cache_points.empty() && prompt.cache_points.back().key == key) return;
    prompt.cache_points.push_back({key, prompt.prompt_tokens});
}

CacheUse use_prompt_cache(const SimPrompt &prompt) {
    if (prompt.cache_points.empty()) return {};
    return cache().use(prompt);
}

} // namespace helix::cloudsim
