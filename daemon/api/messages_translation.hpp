#pragma once
// A Messages API request for a model that does not speak it (openai,
// azure-openai, non-Claude models on Bedrock and Vertex): rewritten as the
// chat completion it means, then parsed by the chat parser into the
// canonical request every plugin takes.
//   system (string or text blocks)   -> a system message
//   text blocks                      -> text content (parts when mixed with images)
//   image blocks (base64 / url)      -> image_url parts (data: URI or the URL)
//   document blocks (base64 / text   -> file parts (file_data data: URL, a
//     / url)                            text/plain one for text, file_url;
//                                       the title as filename)
//   assistant tool_use blocks        -> tool_calls (arguments = the input serialised)
//   user tool_result blocks          -> tool messages, before the rest of that turn
//   tools / tool_choice              -> function tools / auto, required, a named
//                                       function, none; disable_parallel_tool_use
//                                       -> parallel_tool_calls false
//   max_tokens, temperature, top_p, stop_sequences (at most 4), stream
//   (with usage), metadata.user_id   -> their chat counterparts
//   cache_control                    -> on the part, tool or message it marks
//                                       (a system prompt with breakpoints and
//                                       a user turn with them keep their parts;
//                                       in a tool result or an assistant turn
//                                       it marks the whole message)
// thinking / redacted_thinking blocks of earlier turns are left out (their
// signatures mean nothing to another provider), and so are the thinking
// and top_k settings. What has no chat form (file and content
// sources, server tools, other block types) is a 400 naming the field.

#include "daemon/api/chat_request.hpp"
#include "daemon/api/error_body.hpp"

#include <boost/json/object.hpp>

#include <variant>

namespace helix::api {

std::variant<ChatRequest, ApiError> translate_messages_to_chat(const boost::json::object &request);

} // namespace helix::api
