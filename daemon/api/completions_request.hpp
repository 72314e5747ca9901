#pragma once
// POST /v1/completions bodies (OpenAI's legacy prompt completions),
// validated as OpenAI does, and translated onto a chat request whose one
// user message is the prompt, so that every provider serves them.
//
// Accepted: `model`, `prompt` (a string, a list of strings, a list of
// tokens or a list of token lists), `max_tokens` (16 when not given, as at
// OpenAI), `temperature`, `top_p`, `stop`, `stream`,
// `stream_options.include_usage`, `n` (1-128), `best_of` (1-20, not below
// n), `echo`, `logprobs` (0-5), `suffix`, `seed`, `user`,
// `presence_penalty`, `frequency_penalty`, `logit_bias`.
//
// A model that serves legacy completions itself (HELIX_MODEL_COMPLETIONS)
// gets the client's body and gives all of them. A chat model gets the
// translation, which cannot carry several prompts, token prompts, n or
// best_of above 1, `echo: true`, `logprobs` or `suffix`: the first of those
// a request uses is kept in `needs_native`, the 400 (naming the field) that
// answers the request when no such model is among its candidates.

#include "daemon/api/chat_request.hpp"
#include "daemon/api/error_body.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <variant>

namespace helix::api {

struct CompletionsRequest {
    ChatRequest chat;
    std::string body; // the client's body text
    std::optional<ApiError> needs_native;
    std::size_t choices = 1;       // prompts x n: the choices of the reply
    std::int64_t prompt_tokens = 0; // of token prompts (the translation has no text for them)
};

using CompletionsParseResult = std::variant<CompletionsRequest, ApiError>;

// Never throws; every failure is an ApiError.
CompletionsParseResult parse_completions_request(std::string body);

} // namespace helix::api
