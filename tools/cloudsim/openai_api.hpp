#pragma once
// The OpenAI provider module (protocols.md section 4):
//   POST /v1/chat/completions   JSON or SSE (stream: true)
//   GET  /v1/models, GET /v1/models/{id}
// Auth: `Authorization: Bearer <key>`; a missing or wrong key gets 401
// invalid_api_key. Every reply carries x-request-id, openai-version,
// openai-processing-ms and the x-ratelimit-* headers.

#include "tools/cloudsim/provider_api.hpp"

#include <memory>

namespace helix::cloudsim {

inline constexpr std::string_view kOpenAiDefaultKey = "sk-sim-openai";

std::unique_ptr<ProviderApi> make_openai_api(const ProviderOptions &options);

} // namespace helix::cloudsim
