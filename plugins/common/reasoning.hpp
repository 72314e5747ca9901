#pragma once
// Reasoning settings the turn-based translators share (Anthropic, Bedrock's
// Claude, Gemini 2.5): the thinking budget a request asks for, and which
// earlier reasoning blocks may go back to a provider.

#include <helixagent/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace helix::plugin_common {

// The smallest budget Anthropic (and Claude on Bedrock) accepts.
inline constexpr std::int64_t kMinThinkingBudget = 1024;

// Tokens of thinking by reasoning_effort (Anthropic's budget_tokens, Gemini
// 2.5's thinkingBudget): minimal 1024, low 2048, medium 8192, high 16384.
std::int64_t budget_for_effort(std::uint32_t effort) noexcept;

// What the request asks for: its own budget (HELIX_HAS_REASONING_BUDGET)
// or one by effort; nullopt when it asks for no reasoning.
std::optional<std::int64_t> requested_budget(const helix_chat_request &r) noexcept;

// Claude's thinking budget and max_tokens, which counts thinking too and must
// exceed the budget: a client's max_tokens caps the budget (below 1025 it is
// a 400 naming max_tokens); without one, max_tokens is the budget plus
// `default_max_tokens`.
struct ClaudeThinking {
    std::int64_t budget = 0;
    std::int64_t max_tokens = 0;
};
std::optional<ClaudeThinking> claude_thinking(const helix_chat_request &r, std::int64_t default_max_tokens);

// Whether a reasoning block may go back to the provider whose dialect is
// `format`: one without a format (the client did not say), or of that format.
bool same_format(const helix_reasoning_block &block, std::string_view format) noexcept;

} // namespace helix::plugin_common
