#include "plugins/common/reasoning.hpp"

#include "plugins/common/request_helpers.hpp"

#include <algorithm>

namespace helix::plugin_common {

std::int64_t budget_for_effort(std::uint32_t effort) noexcept {
    switch (effort) {
    case HELIX_EFFORT_MINIMAL: return 1024;
    case HELIX_EFFORT_LOW: return 2048;
    case HELIX_EFFORT_MEDIUM: return 8192;
    case HELIX_EFFORT_HIGH: return 16384;
    default: return 0;
    }
}

std::optional<std::int64_t> requested_budget(const helix_chat_request &r) noexcept {
    if ((r.present & HELIX_HAS_REASONING_BUDGET) != 0 && r.reasoning_budget_tokens > 0) return r.reasoning_budget_tokens;
    const std::int64_t budget = budget_for_effort(r.reasoning_effort);
    if (budget > 0) return budget;
    return std::nullopt;
}

std::optional<ClaudeThinking> claude_thinking(const helix_chat_request &r, std::int64_t default_max_tokens) {
    const std::optional<std::int64_t> asked = requested_budget(r);
    if (!asked) return std::nullopt;
    ClaudeThinking t;
    t.budget = std::max(*asked, kMinThinkingBudget);
    if ((r.present & HELIX_HAS_MAX_TOKENS) != 0) {
        if (r.max_tokens <= kMinThinkingBudget)
            invalid("max_tokens must be above " + std::to_string(kMinThinkingBudget) +
                        " with reasoning: it counts the thinking tokens too, and Claude thinks for at least " +
                        std::to_string(kMinThinkingBudget),
                    "max_tokens");
        t.max_tokens = r.max_tokens;
        t.budget = std::min(t.budget, r.max_tokens - 1);
    } else {
        t.max_tokens = t.budget + std::max<std::int64_t>(default_max_tokens, 1);
    }
    return t;
}

bool same_format(const helix_reasoning_block &block, std::string_view format) noexcept {
    return block.format.len == 0 || helix::sdk::view(block.format) == format;
}

} // namespace helix::plugin_common
