#pragma once
// The walk over a request's messages that every turn-based translator
// (Anthropic, Bedrock, Gemini) makes: system and developer messages go apart,
// user, assistant and tool messages become blocks of alternating turns
// (append_turn), and a role the translator does not know is refused.

#include "plugins/common/request_helpers.hpp"

#include <helixagent/plugin.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace helix::plugin_common {

// What a provider makes of each kind of message.
struct MessageTranslator {
    const char *assistant_role = "assistant"; // Gemini: "model"; user and tool messages form "user" turns
    // A system or developer message (index i), kept out of the turns.
    std::function<void(const helix_message &m, std::size_t i)> system;
    // The content of a user or assistant message, appended to `blocks`.
    std::function<void(const helix_message &m, std::size_t i, boost::json::array &blocks)> content;
    // One tool call of an assistant message; `path` is messages[i].tool_calls[j].
    std::function<boost::json::value(const helix_tool_call &call, const std::string &path)> tool_call;
    // A tool message's result.
    std::function<boost::json::value(const helix_message &m, std::size_t i)> tool_result;
    // A message's cache_control (a prompt-cache breakpoint after it), given
    // the message's blocks when it made any; unset: ignored.
    std::function<void(std::uint32_t cache_control, boost::json::array &blocks)> cache_point;
};

// The turns of `r`, in order. A message whose role is none of the ABI's five
// (a newer host, a faulty one) is a 400 invalid_value naming messages[i].role,
// rather than a message silently dropped from the conversation.
std::vector<Turn> walk_messages(const helix_chat_request &r, const MessageTranslator &translator);

} // namespace helix::plugin_common
