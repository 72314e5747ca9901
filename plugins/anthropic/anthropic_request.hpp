#pragma once
// prepare() of the anthropic provider: the canonical (OpenAI-shaped) request
// -> POST {base_url}/v1/messages of Anthropic's Messages API.
//
//   system, developer messages  -> top-level "system" (their texts joined with a
//                                  blank line, wherever they stood; Anthropic has
//                                  no mid-conversation system turns)
//   user                         -> user turn; text parts -> text blocks, image_url:
//                                  data: URI -> {"type":"image","source":{"type":"base64",
//                                  media_type, data}}, http(s) URL -> {"source":{"type":"url"}}
//   assistant                    -> assistant turn; text block + one tool_use block per
//                                  tool call (input = the arguments parsed; "" -> {})
//   tool                         -> a user turn with a tool_result block (tool_use_id,
//                                  content = the text, or text/image blocks)
//   Consecutive turns of one role merge into one message (Anthropic requires
//   alternation); inside a user turn tool_result blocks go first. Empty text
//   blocks are left out (Anthropic rejects them); a message left empty is dropped.
//   tools        -> {name, description, input_schema} ({"type":"object"} when the tool
//                   has no parameters)
//   tool_choice  auto -> auto, required -> any, named -> tool, none -> none;
//                parallel_tool_calls false -> disable_parallel_tool_use
//   stop -> stop_sequences; temperature (clamped to Anthropic's 0..1), top_p;
//   max_tokens -> max_tokens, else settings.max_tokens_default; user -> metadata.user_id
//   reasoning_effort / budget -> thinking {type: enabled, budget_tokens}
//                (plugin_common::claude_thinking: max_tokens grows to hold it)
//   an assistant message's reasoning blocks -> thinking {thinking, signature}
//                and redacted_thinking {data} first in its content, byte for
//                byte (unsigned blocks and other formats left out)
//   response_format json_object / json_schema -> one more tool, json_response
//                (plugin_common::json_tool), forced (tool_choice tool; "any"
//                beside client tools; with thinking, which refuses a forced
//                tool, auto and an instruction); the call decodes as the text
// Not supported (HELIX_ERR_NOT_SUPPORTED, 400, with param): n > 1 ("n"),
// a json_schema that does not describe an object, image types other than
// jpeg/png/gif/webp.
// Ignored: seed (Anthropic has none), image detail, message names, tool strict.

#include "plugins/anthropic/anthropic_settings.hpp"

#include <helixagent/plugin.hpp>

#include <boost/json/object.hpp>

#include <cstdint>

namespace helix::anthropic {

// The reasoning_format of this plugin's reasoning events (and of the blocks it
// accepts back).
inline constexpr std::string_view kReasoningFormat = "anthropic-claude-v1";

// With thinking on (no forced tool then), the system prompt asks for the answer tool.
inline constexpr std::string_view kJsonToolInstruction =
    "Give your final answer by calling the json_response tool, and nothing else.";

void build_request(const Settings &settings, const helix_chat_request &request, helix::sdk::HttpRequest &out);

// The Messages API body build_request() sends (also Claude on Vertex's, which
// re-addresses it); max_tokens_default when the request sets none.
boost::json::object messages_body(const helix_chat_request &request, std::int64_t max_tokens_default);

} // namespace helix::anthropic
