#pragma once
// POST /v1/chat/completions: parse, list the candidate providers, and for
// each in turn let its plugin translate and call the upstream, until one
// answers (OpenAI's JSON or SSE stream) or a failure must be reported. A
// stream fails over only before its first byte has reached the client.

#include "daemon/api/chat_request.hpp"
#include "daemon/app/runtime.hpp"
#include "daemon/http/request_context.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/candidates.hpp"
#include "daemon/router/circuit_breakers.hpp"
#include "daemon/router/retry_policy.hpp"
#include "daemon/transport/upstream_client.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

#include <optional>
#include <string>

namespace helix::http {

class ChatCompletionsHandler final : public Poco::Net::HTTPRequestHandler {
public:
    // `context` (the client's identity, the access record) outlives this handler.
    ChatCompletionsHandler(app::RuntimePtr runtime, transport::UpstreamClient &upstream,
                           router::CircuitBreakers &breakers, metrics::Metrics &metrics, RequestContext &context)
        : runtime_(std::move(runtime)), upstream_(upstream), breakers_(breakers), metrics_(metrics),
          context_(context) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

    struct FailedAttempt {
        std::string target; // provider/model
        std::string provider;
        api::ApiError error;
        router::Verdict verdict;
        std::uint32_t retry_after_ms;
    };

private:
    // One candidate: nullopt once the client has been answered.
    std::optional<FailedAttempt> attempt(const router::Candidate &candidate, api::ChatRequest &chat,
                                         Poco::Net::HTTPServerResponse &response, int &calls,
                                         metrics::RequestObservation &observed);

    router::CircuitBreakers::Settings breaker_settings() const;

    app::RuntimePtr runtime_;
    transport::UpstreamClient &upstream_;
    router::CircuitBreakers &breakers_;
    metrics::Metrics &metrics_;
    RequestContext &context_;
};

} // namespace helix::http
