#pragma once
// The Anthropic provider module (docs/providers.md, anthropic):
//   POST /v1/messages          JSON or SSE (stream: true)
//   POST /v1/messages/count_tokens  {"input_tokens": N}
//   GET  /v1/models, GET /v1/models/{id}
// Auth: `x-api-key`, or the same key as `Authorization: Bearer` (what
// @anthropic-ai/sdk 1.x sends); a missing or wrong key gets 401
// authentication_error.
// The `anthropic-version` header is required (400 invalid_request_error).
// Every reply carries request-id and the anthropic-ratelimit-* headers.

#include "tools/cloudsim/provider_api.hpp"

#include <memory>

namespace helix::cloudsim {

inline constexpr std::string_view kAnthropicDefaultKey = "sk-sim-anthropic";

std::unique_ptr<ProviderApi> make_anthropic_api(const ProviderOptions &options);

} // namespace helix::cloudsim
