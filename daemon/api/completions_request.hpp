#pragma once
// POST /v1/completions bodies (OpenAI's legacy prompt completions),
// validated as OpenAI does and translated onto a chat request whose one
// user message is the prompt, so that every provider serves them.
//
// Accepted: `model`, `prompt` (a string, or a list holding one string),
// `max_tokens` (16 when not given, as at OpenAI), `temperature`, `top_p`,
// `stop`, `stream`, `stream_options.include_usage`, `n` and `best_of` equal
// to 1, `seed`, `user`, `presence_penalty`, `frequency_penalty`,
// `logit_bias` (forwarded where the provider speaks OpenAI's dialect).
// Refused with a 400 naming the field: several prompts in one request, token
// prompts, n or best_of above 1, `echo: true`, `logprobs`, `suffix` (a chat
// model cannot give them).

#include "daemon/api/chat_request.hpp"
#include "daemon/api/error_body.hpp"

#include <string>
#include <variant>

namespace helix::api {

struct CompletionsRequest {
    ChatRequest chat;
    std::string body; // the client's body text
};

using CompletionsParseResult = std::variant<CompletionsRequest, ApiError>;

// Never throws; every failure is an ApiError.
CompletionsParseResult parse_completions_request(std::string body);

} // namespace helix::api
