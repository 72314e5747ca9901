#pragma once
// Simulated reasoning: the thinking text a reply starts with, and the
// signatures the simulators put on it. A signature is a MAC of what it signs
// under a key only the simulator knows, so a client (or a gateway) that
// drops, edits or moves a signature, or the text it signs, is caught the way
// the real services catch it: the next turn that carries it back is refused.

#include "tools/cloudsim/reply_generator.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim {

// The thinking text for `prompt` (deterministic): "Thinking about: <the first
// words of the last user message or tool result>. <a budget note>".
std::string thinking_text(const SimPrompt &prompt);

// The signature of `content` (base64 of a MAC), and whether `signature` is the
// one the simulator made for `content`.
std::string sign_thinking(std::string_view content);
bool valid_signature(std::string_view content, std::string_view signature);

// Redacted thinking: opaque data that carries its own MAC, and its check.
std::string redacted_thinking_data(std::string_view seed);
bool valid_redacted_data(std::string_view data);

// A prompt containing this string gets a redacted_thinking block as well, as
// Anthropic documents for testing redacted thinking.
inline constexpr std::string_view kRedactedThinkingTrigger = "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING";

} // namespace helix::cloudsim
