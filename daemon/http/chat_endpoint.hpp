#pragma once
// POST /v1/chat/completions as the attempt loop sees it (router/endpoint.hpp),
// whichever server core carries it: plan_chat() parses the body and lists
// the candidates the client may use; ChatEndpoint makes each candidate's
// plugin call and encodes its events as OpenAI's chat.completion or
// chat.completion.chunk stream.

#include "daemon/api/chat_request.hpp"
#include "daemon/api/response_common.hpp"
#include "daemon/audit/access_record.hpp"
#include "daemon/http/routes.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/client_keys.hpp"
#include "daemon/router/endpoint.hpp"
#include "daemon/router/runtime.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace helix::http {

// 403: the key's scope excludes every provider/model that could serve the model.
api::ApiError model_not_allowed(const router::ClientIdentity &client, std::string_view model);

struct ChatPlan {
    api::ChatRequest chat;
    std::vector<router::Candidate> candidates; // not empty
};

// The parsed request and who may serve it, or the error the client gets
// (a bad body, an unknown model, one outside the key's scope, n > 1 that no
// candidate supports). `priority` is the X-Helix-Priority header; the
// request's model and stream flag (and its body when the access log keeps
// content) go into `record`.
std::variant<ChatPlan, api::ApiError> plan_chat(const router::Runtime &runtime, std::string body,
                                                std::string_view priority, const router::ClientIdentity *client,
                                                audit::AccessRecord &record);

// plan_chat() for a request already parsed (the endpoints translated onto
// chat: /v1/responses, /v1/completions).
// `legacy_completions` (POST /v1/completions): keep the models that serve
// only legacy completions (HELIX_MODEL_COMPLETIONS), which the chat
// endpoints refuse with a 400 pointing to /v1/completions.
std::variant<ChatPlan, api::ApiError> plan_parsed_chat(const router::Runtime &runtime, api::ChatRequest chat,
                                                       std::string_view priority, const router::ClientIdentity *client,
                                                       audit::AccessRecord &record, bool legacy_completions = false);

// A candidate's plugin call for a chat request (ChatEndpoint::prepare); with
// HELIX_OP_COMPLETIONS, `original_body` (the client's) replaces the chat's.
router::Prepared prepare_chat(api::ChatRequest &chat, const router::Candidate &candidate,
                              std::uint32_t operation = HELIX_OP_CHAT, std::string_view original_body = {});

// Counts an attempt's token usage in the metrics; its estimated cost in
// USD when the model's prices are known (x-helix-cost-usd, usd_text()).
std::optional<double> record_usage(const config::Config &config, const router::Candidate &candidate,
                                   metrics::RequestObservation &observed, const api::Usage &usage);
std::string usd_text(double usd);
std::int64_t unix_seconds();

// The route table's handler: plan_chat(), and the endpoint owning the request.
std::variant<EndpointPlan, api::ApiError> plan_chat_endpoint(EndpointRequest &request);

class ChatEndpoint final : public router::Endpoint {
public:
    // Everything referred to outlives the endpoint. `content_log` (may be
    // null) receives the answer's text when the access log records content.
    ChatEndpoint(api::ChatRequest &chat, const config::Config &config, metrics::RequestObservation &observed,
                 audit::AccessRecord *content_log)
        : chat_(chat), config_(config), observed_(observed), content_log_(content_log) {}

    bool streamed() const override { return chat_.stream(); }
    router::Prepared prepare(const router::Candidate &candidate) override;
    boost::asio::awaitable<std::optional<api::ApiError>> before_prepare(const router::Candidate &candidate,
                                                                        transport::AsyncExchange &exchange,
                                                                        std::chrono::steady_clock::time_point deadline) override;
    std::unique_ptr<router::ReplyEncoder> encoder(const router::Candidate &candidate) override;

private:
    api::ChatRequest &chat_;
    const config::Config &config_;
    metrics::RequestObservation &observed_;
    audit::AccessRecord *content_log_;
};

} // namespace helix::http
