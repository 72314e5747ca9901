#pragma once
// POST /v1/messages and POST /v1/messages/count_tokens (Anthropic's
// Messages API) as the attempt loop sees them. The plan parses the body
// (api/messages_request.hpp) and lists the candidates. A candidate whose
// model speaks the Messages API itself (HELIX_MODEL_MESSAGES: Claude) gets
// the client's body with the anthropic-version and anthropic-beta headers
// (HELIX_OP_MESSAGES), and what it sends is relayed with the model name
// mapped back (api/messages_reply.hpp); any other gets the translation onto
// a chat completion (api/messages_translation.hpp) and its events are built
// into Anthropic's shape (api/messages_builder.hpp). count_tokens asks a
// Claude candidate, and answers with an estimate (api/token_estimate.hpp,
// header x-helix-token-count: estimate) when no candidate is one. Errors
// are in Anthropic's shape (the route's dialect).

#include "daemon/api/chat_request.hpp"
#include "daemon/api/messages_request.hpp"
#include "daemon/http/routes.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/endpoint.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace helix::http {

std::variant<EndpointPlan, api::ApiError> plan_messages_endpoint(EndpointRequest &request);
std::variant<EndpointPlan, api::ApiError> plan_count_tokens_endpoint(EndpointRequest &request);

class MessagesEndpoint final : public router::Endpoint {
public:
    // `config` and `observed` outlive the endpoint. `betas`: the
    // anthropic-beta header's values as sent.
    // `chat`: the translation, for the candidates that do not speak the Messages API.
    MessagesEndpoint(api::MessagesRequest request, std::optional<api::ChatRequest> chat, std::string anthropic_version,
                     std::vector<std::string> betas, const config::Config &config,
                     metrics::RequestObservation &observed);

    bool streamed() const override { return request_.stream(); }
    router::Prepared prepare(const router::Candidate &candidate) override;
    boost::asio::awaitable<std::optional<api::ApiError>> before_prepare(const router::Candidate &candidate,
                                                                        transport::AsyncExchange &exchange,
                                                                        std::chrono::steady_clock::time_point deadline) override;
    std::unique_ptr<router::ReplyEncoder> encoder(const router::Candidate &candidate) override;

private:
    api::MessagesRequest request_;
    std::optional<api::ChatRequest> chat_;
    std::string version_;
    std::vector<std::string> betas_;
    std::vector<helix_str> beta_views_;
    const config::Config &config_;
    metrics::RequestObservation &observed_;
};

} // namespace helix::http
