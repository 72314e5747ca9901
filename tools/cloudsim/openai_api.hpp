#pragma once
// The OpenAI provider module (docs/providers.md, openai):
//   POST /v1/chat/completions   JSON or SSE (stream: true)
//   POST /v1/completions        legacy completions of the instruct models
//                               (openai_completions.hpp); a chat model there,
//                               or an instruct model on chat, is a 404 as at OpenAI
//   GET  /v1/models, GET /v1/models/{id}
// Auth: `Authorization: Bearer <key>`; a missing or wrong key gets 401
// invalid_api_key. Every reply carries x-request-id, openai-version,
// openai-processing-ms and the x-ratelimit-* headers.

#include "tools/cloudsim/openai_wire.hpp"
#include "tools/cloudsim/provider_api.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace helix::cloudsim {

inline constexpr std::string_view kOpenAiDefaultKey = "sk-sim-openai";

std::unique_ptr<ProviderApi> make_openai_api(const ProviderOptions &options);

namespace openai {

// The chat completions flow, shared by the services that speak OpenAI's wire
// (OpenAI itself and Azure OpenAI), which differ in how they answer errors.
class ChatService {
public:
    virtual ~ChatService() = default;
    virtual void send_error(Exchange &exchange, const ApiError &error) const = 0;
    // The reply to an error-status fault (429, 500, 503, 529).
    virtual void send_fault_error(Exchange &exchange, FaultKind fault, const ChatRequest &request) const = 0;
};

// Reads and parses a chat completions request; answers 413 (body over 32 MiB)
// or 400 (invalid request) itself and returns nullopt.
// `completions`: the body is a legacy completions request (openai_completions.hpp).
std::optional<ChatRequest> read_chat_request(Exchange &exchange, const ChatService &service,
                                             bool require_model = true, bool completions = false);

// Answers a parsed request: the latency knobs (x-sim-* headers), the fault
// (`fault` when given, else the x-sim-fault header, a [[fault:...]]
// directive in the last user message or the fault board), then the reply,
// as JSON or SSE, in `dialect` (`text_completion`: as a legacy completion).
// Sets openai-processing-ms.
void answer_chat(Exchange &exchange, ProviderContext &context, const ChatService &service,
                 const ChatRequest &request, const ReplyMeta &meta, const Dialect &dialect,
                 std::chrono::steady_clock::time_point started, std::optional<FaultKind> fault = std::nullopt,
                 bool text_completion = false);

} // namespace openai

} // namespace helix::cloudsim
