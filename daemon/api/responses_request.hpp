#pragma once
// POST /v1/responses bodies (OpenAI's Responses API), validated the way
// OpenAI does it and translated onto a chat completion request, so that
// every provider serves them through the chat path of its plugin.
//
// Accepted: `model`; `input` as a string or a list of items (messages with
// input_text / input_image / output_text parts, function_call and
// function_call_output items; reasoning items a client sends back are
// dropped, as a stateless gateway has no use for them); `instructions` (a
// system message first); function `tools`; `tool_choice`; `text.format`
// (text, json_object, json_schema); `reasoning.effort` (reasoning_effort
// for the providers that speak OpenAI's dialect); `max_output_tokens`;
// `temperature`; `top_p`; `metadata` (echoed back); `parallel_tool_calls`;
// `stream`; `store` (accepted, nothing is stored: the response says
// "store": false); `user`; `include`, `truncation`, `service_tier`,
// `prompt_cache_key`, `safety_identifier` (accepted and not used).
//
// Refused with a 400 naming the field (they need state the gateway does not
// keep, or tools only OpenAI runs): `previous_response_id`, `conversation`,
// `background: true`, `prompt`, item_reference items, built-in tools
// (web_search, file_search, code_interpreter, ...), images by file_id, files.

#include "daemon/api/chat_request.hpp"
#include "daemon/api/error_body.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace helix::api {

// A parsed /v1/responses request: the chat request it became, and the
// members the response object echoes (instructions, metadata, tools,
// tool_choice, text, reasoning, max_output_tokens, temperature, top_p,
// parallel_tool_calls, user).
struct ResponsesRequest {
    ChatRequest chat;
    std::string body;           // the client's body text
    boost::json::object echoed; // response members taken from the request
};

using ResponsesParseResult = std::variant<ResponsesRequest, ApiError>;

// Never throws; every failure is an ApiError (400 naming the field, 500 when
// memory runs out).
ResponsesParseResult parse_responses_request(std::string body);

} // namespace helix::api
