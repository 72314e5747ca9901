#include "daemon/http/chat_endpoint.hpp"

#include "daemon/api/chat_token_estimate.hpp"
#include "daemon/api/chunk_builder.hpp"
#include "daemon/api/completion_builder.hpp"
#include "daemon/api/errors.hpp"
#include "daemon/http/media_inliner.hpp"
#include "daemon/http/request_id.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

namespace helix::http {

namespace {

// One attempt's events as a chat.completion (accumulated) or as chunks.
class ChatEncoder final : public router::ReplyEncoder {
public:
    ChatEncoder(const api::ChatRequest &chat, const config::Config &config, const router::Candidate &candidate,
                metrics::RequestObservation &observed, audit::AccessRecord *content_log)
        : config_(config), candidate_(candidate), observed_(observed), content_log_(content_log) {
        const std::string id = "chatcmpl-" + request_id_for("").substr(4);
        if (chat.stream())
            chunks_.emplace(id, unix_seconds(), std::string(chat.model()), chat.include_usage());
        else
            completion_.emplace(id, unix_seconds(), std::string(chat.model()));
    }

    void add(const helix_event &event, std::vector<std::string> &events) override {
        if (content_log_ != nullptr && event.type == HELIX_EVENT_TEXT_DELTA)
            content_log_->add_completion_text({event.text.data, event.text.len});
        if (completion_)
            completion_->add(event);
        else
            chunks_->add(event, events);
    }

    std::string finish(std::vector<std::string> &events, router::ReplyWriter &reply) override {
        if (completion_) {
            if (const auto usd = usage_and_cost(completion_->usage()))
                reply.set_header("x-helix-cost-usd", usd_text(*usd));
            return completion_->build();
        }
        // Headers went out before the usage was known: a stream carries its
        // estimated cost in one chunk with no choices, as Azure carries its
        // filter results.
        if (const auto usd = usage_and_cost(chunks_->usage())) {
            const std::string text = usd_text(*usd);
            helix_event e{};
            e.struct_size = sizeof e;
            e.type = HELIX_EVENT_EXTRA;
            e.name = {"response.x_helix_cost_usd", 25};
            e.json = {text.data(), text.size()};
            chunks_->add(e, events);
        }
        chunks_->finish(events);
        return {};
    }

private:
    std::optional<double> usage_and_cost(const api::Usage &usage) {
        return record_usage(config_, candidate_, observed_, usage);
    }

    const config::Config &config_;
    const router::Candidate candidate_;
    metrics::RequestObservation &observed_;
    audit::AccessRecord *content_log_;
    std::optional<api::CompletionBuilder> completion_;
    std::optional<api::ChunkBuilder> chunks_;
};

// A ChatEndpoint that owns its request, for the route table. Once the
// reply began the request goes (its body and parsed form can be large): a
// stream keeps only what its encoder copied.
class OwningChatEndpoint final : public router::Endpoint {
public:
    OwningChatEndpoint(api::ChatRequest chat, const config::Config &config, metrics::RequestObservation &observed,
                       audit::AccessRecord *content_log)
        : chat_(std::move(chat)), streamed_(chat_->stream()), inner_(*chat_, config, observed, content_log) {}
    bool streamed() const override { return streamed_; }
    void reply_started() override { chat_.reset(); } // inner_ is not called after this
    router::Prepared prepare(const router::Candidate &candidate) override { return inner_.prepare(candidate); }
    boost::asio::awaitable<std::optional<api::ApiError>> before_prepare(const router::Candidate &candidate,
                                                                        transport::AsyncExchange &exchange,
                                                                        std::chrono::steady_clock::time_point deadline) override {
        return inner_.before_prepare(candidate, exchange, deadline);
    }
    std::unique_ptr<router::ReplyEncoder> encoder(const router::Candidate &candidate) override {
        return inner_.encoder(candidate);
    }

private:
    std::optional<api::ChatRequest> chat_; // before inner_, which refers to it
    bool streamed_;
    ChatEndpoint inner_;
};

// "messages[i].content[j]" of the request's first document part.
std::string first_document_param(const helix_chat_request &r) {
    for (std::size_t i = 0; i < r.message_count; ++i)
        for (std::size_t j = 0; j < r.messages[i]->part_count; ++j)
            if (r.messages[i]->parts[j]->type == HELIX_PART_DOCUMENT)
                return "messages[" + std::to_string(i) + "].content[" + std::to_string(j) + "]";
    return "messages";
}

} // namespace

std::int64_t unix_seconds() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string usd_text(double usd) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", usd);
    return text;
}

std::optional<double> record_usage(const config::Config &config, const router::Candidate &candidate,
                                   metrics::RequestObservation &observed, const api::Usage &usage) {
    const auto cost = router::estimated_cost(
        config, candidate, {usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens, usage.cache_write_tokens});
    observed.usage(candidate.provider->name(), candidate.model->id, usage.prompt_tokens, usage.completion_tokens, cost);
    return cost;
}

std::variant<EndpointPlan, api::ApiError> plan_chat_endpoint(EndpointRequest &request) {
    auto planned = plan_chat(request.runtime, std::move(request.body), request.priority, request.client, request.record);
    if (auto *error = std::get_if<api::ApiError>(&planned)) return std::move(*error);
    ChatPlan &plan = std::get<ChatPlan>(planned);
    const config::Config &config = *request.runtime.config;
    const api::TokenEstimate tokens = api::estimate_chat_tokens(plan.chat.view());
    auto endpoint = std::make_unique<OwningChatEndpoint>(std::move(plan.chat), config, request.observed,
                                                         config.log.access_content ? &request.record : nullptr);
    return EndpointPlan{std::move(endpoint), std::move(plan.candidates), std::nullopt, tokens.input, tokens.output};
}

api::ApiError model_not_allowed(const router::ClientIdentity &client, std::string_view model) {
    api::ApiError e;
    e.status = 403;
    e.type = "invalid_request_error";
    e.code = "model_not_allowed";
    e.param = "model";
    e.message = "The API key '" + client.name + "' may not use model '" + std::string(model) + "' (it is limited to " +
                client.describe_scope() + ").";
    return e;
}

std::variant<ChatPlan, api::ApiError> plan_chat(const router::Runtime &runtime, std::string body,
                                                std::string_view priority, const router::ClientIdentity *client,
                                                audit::AccessRecord &record) {
    auto parsed = api::parse_chat_request(std::move(body));
    if (auto *error = std::get_if<api::ApiError>(&parsed)) return std::move(*error);
    return plan_parsed_chat(runtime, std::move(std::get<api::ChatRequest>(parsed)), priority, client, record);
}

std::variant<ChatPlan, api::ApiError> plan_parsed_chat(const router::Runtime &runtime, api::ChatRequest chat,
                                                       std::string_view priority, const router::ClientIdentity *client,
                                                       audit::AccessRecord &record, bool legacy_completions) {
    record.model_asked = chat.model();
    record.stream = chat.stream();
    if (runtime.config->log.access_content) record.request_body = chat.body();

    // "X-Helix-Priority: low" marks a request non-critical: the cheapest
    // good-enough provider serves it.
    const bool low = Poco::toLower(std::string(priority)) == "low";
    auto candidates =
        router::candidates_for(runtime, chat.model(), low ? router::Priority::low : router::Priority::critical);
    if (candidates.empty()) return api::model_not_found(chat.model());
    if (client != nullptr && client->scoped()) {
        std::erase_if(candidates, [&](const router::Candidate &c) {
            return !client->allows(chat.model(), c.provider->name(), c.model->id);
        });
        if (candidates.empty()) return model_not_allowed(*client, chat.model());
    }
    // An embeddings model has no chat: say where it belongs rather than send it upstream.
    std::erase_if(candidates,
                  [](const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_EMBEDDINGS) != 0; });
    if (candidates.empty())
        return api::invalid_request("The model '" + std::string(chat.model()) +
                                        "' creates embeddings and has no chat: use POST /v1/embeddings. GET "
                                        "/v1/models lists the endpoints each model serves.",
                                    "model", "unsupported_model");
    if (!legacy_completions) {
        std::erase_if(candidates,
                      [](const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_COMPLETIONS) != 0; });
        if (candidates.empty())
            return api::invalid_request("The model '" + std::string(chat.model()) +
                                            "' serves legacy completions only and has no chat: use POST "
                                            "/v1/completions. GET /v1/models lists the endpoints each model serves.",
                                        "model", "unsupported_model");
    }
    if ((chat.required_capabilities() & HELIX_MODEL_MULTIPLE_CHOICES) != 0) {
        std::erase_if(candidates, [](const router::Candidate &c) {
            return (c.model->capabilities & HELIX_MODEL_MULTIPLE_CHOICES) == 0;
        });
        if (candidates.empty()) return api::feature_not_supported(chat.model(), "n > 1", "n");
    }
    if ((chat.required_capabilities() & HELIX_MODEL_DOCUMENTS) != 0) {
        std::erase_if(candidates,
                      [](const router::Candidate &c) { return (c.model->capabilities & HELIX_MODEL_DOCUMENTS) == 0; });
        if (candidates.empty())
            return api::feature_not_supported(chat.model(), "document (file) parts", first_document_param(chat.view()));
    }
    return ChatPlan{std::move(chat), std::move(candidates)};
}

router::Prepared ChatEndpoint::prepare(const router::Candidate &candidate) { return prepare_chat(chat_, candidate); }

boost::asio::awaitable<std::optional<api::ApiError>> ChatEndpoint::before_prepare(const router::Candidate &candidate,
                                                                                transport::AsyncExchange &exchange,
                                                                                std::chrono::steady_clock::time_point deadline) {
    return inline_media(chat_, candidate, exchange, config_.media_fetch, deadline);
}

router::Prepared prepare_chat(api::ChatRequest &chat, const router::Candidate &candidate, std::uint32_t operation,
                              std::string_view original_body) {
    chat.set_upstream_model(candidate.model->upstream_id);
    helix_chat_request view = chat.view();
    if (!original_body.empty()) view.original_body = {original_body.data(), original_body.size()};
    helix_request request{};
    request.struct_size = sizeof request;
    request.operation = operation;
    request.chat = &view;
    std::unique_ptr<plugins::UpstreamCall> call;
    router::Prepared prepared;
    prepared.failure = candidate.provider->prepare(request, call);
    if (call) prepared.call = std::make_unique<router::PluginCall>(std::move(call));
    return prepared;
}

std::unique_ptr<router::ReplyEncoder> ChatEndpoint::encoder(const router::Candidate &candidate) {
    return std::make_unique<ChatEncoder>(chat_, config_, candidate, observed_, content_log_);
}

} // namespace helix::http
