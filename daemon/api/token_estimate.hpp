#pragma once
// count_tokens for a model whose provider has no token counter of its own:
// an estimate, about 4 characters of text per token (system, message text,
// tool_use input, tool_result content, thinking text, tool names,
// descriptions and schemas), 3 per message, and 1,600 per image or document
// (Anthropic's figure for an image of about 1.15 megapixels). Good for
// budgeting, not billing.

#include <boost/json/object.hpp>

#include <cstdint>

namespace helix::api {

std::int64_t estimate_input_tokens(const boost::json::object &messages_request);

} // namespace helix::api
